"""Security headers on every response, and no redirect that leaves the site.

Datasette 0.65 sends no Content-Security-Policy, X-Content-Type-Options or
frame protection, and its trailing-slash redirect turns `/\\evil.example/`
into `Location: /\\evil.example`, which browsers follow off-site.

The policy allows scripts from this site only, plus the exact inline scripts
of each page (by sha256), so inline event handlers and `javascript:` URLs
are blocked; datasette-vega compiles chart expressions with `Function`,
hence 'unsafe-eval'.
"""

import base64
import hashlib
import re

from datasette import hookimpl

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
FIXED_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def content_security_policy(html):
    """The policy for one HTML page: its inline scripts allowed by hash."""
    hashes = "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'" for body in INLINE_SCRIPT.findall(html))
    return POLICY.format(hashes=hashes)


def safe_location(location):
    """A redirect target that stays on this site: a path, never `//host` or `/\\host`."""
    if re.match(r"^\s*[/\\]{2}", location) or re.match(r"^\s*/[/\\]", location) or "://" in location.split("?", 1)[0]:
        return "/" + location.lstrip("/\\ \t").split("://", 1)[-1]
    return location


def secured(app):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = None
        body = []

        async def buffered_send(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"location"]
                for key, value in message.get("headers", []):
                    if key.lower() == b"location":
                        headers.append((key, safe_location(value.decode("latin-1")).encode("latin-1")))
                start = {**message, "headers": headers + FIXED_HEADERS}
                is_html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if not is_html:
                    start["headers"].append((b"content-security-policy", POLICY.format(hashes="").encode()))
                    await send(start)
                    start = None
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            html = b"".join(body)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers += [(b"content-length", str(len(html)).encode()), (b"content-security-policy", content_security_policy(html).encode())]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html})

        await app(scope, receive, buffered_send)

    return wrapped


# trylast: applied after every other plugin's wrapper, so this one is outermost and also
# covers responses those wrappers send themselves (the section-id redirects, 304s, limit errors).
@hookimpl(trylast=True)
def asgi_wrapper():
    return secured
