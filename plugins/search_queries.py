"""What a user types in a search box, as an FTS5 query that finds what they meant and never fails.

Every searchable table is indexed with the porter tokenizer over `unicode61
remove_diacritics 2` (database.py): "aquifer" finds "aquifers", "Lopez" finds
"López". `fts_query` turns typed text into a query of its words, each a prefix
(partial words find whole ones); quotes, operators (AND, OR, NOT, NEAR), `-`,
`*`, parentheses and other punctuation are read as plain text, so no input is
an FTS5 syntax error.

The canned queries call `fts_query(:q)`. Datasette's own table search
(`?_search=`, also used by the site-wide search) calls `escape_fts(:search)`;
this plugin registers `fts_query` under that name too, after Datasette's own
function, so that the table search boxes read input the same way. Raw FTS5
syntax stays available with `&_searchmode=raw`.
"""

import re
import unicodedata

from datasette import hookimpl

# Letters and digits of any script: what unicode61 keeps in a token (it splits on everything else, `_` included).
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 32  # a longer query is cut here: the search boxes are for words, not documents
# Porter stems a whole word ("education" is indexed as "educ"), so a partial word that runs past the stem
# ("educa") is no prefix of it. When the last one to three letters typed could begin a suffix that porter
# removes, the word without them is also tried as a whole indexed term: "educa" finds "educ", and
# "committee" does not find "commit" ("tee" begins no suffix). Only terms that exist match; the price is
# that a word may also find a related one ("environmental" finds "environment", "plane" finds "plan").
PORTER_SUFFIXES = (
    "s sses ies ss eed ed ing at bl iz y ational tional enci anci izer abli alli entli eli ousli ization ation ator "
    "alism iveness fulness ousness aliti iviti biliti icate ative alize iciti ical ful ness al ance ence er ic able "
    "ible ant ement ment ent ion ou ism ate iti ous ive ize e"
).split()
SUFFIX_STARTS = frozenset(suffix[:length] for suffix in PORTER_SUFFIXES for length in range(1, len(suffix) + 1))
TRIMMED_LETTERS = 3
SHORTEST_TRIMMED = 4
MATCH_NOTHING = '""'  # an empty phrase: a valid query with no results


def word_terms(word):
    """The FTS5 terms for one typed word: the word as a prefix, and its shorter forms as whole terms."""
    terms = [f'"{word}"*']
    for cut in range(1, TRIMMED_LETTERS + 1):
        if len(word) - cut >= SHORTEST_TRIMMED and word[-cut:].casefold() in SUFFIX_STARTS:
            terms.append(f'"{word[:-cut]}"')
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def fts_query(text):
    """An FTS5 query matching rows that contain every typed word (as the start of a word); '""' when none was typed."""
    if not isinstance(text, str):
        return MATCH_NOTHING
    words = WORD.findall(unicodedata.normalize("NFC", text))[:MAX_WORDS]
    return " AND ".join(word_terms(word) for word in words) or MATCH_NOTHING


def fold(text):
    """Text without case or accents, for matching part of a name: fold('Ciudad Juárez') == 'ciudad juarez'."""
    if not isinstance(text, str):
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@hookimpl(trylast=True)  # after Datasette's sql_functions plugin, whose escape_fts this one replaces
def prepare_connection(conn):
    conn.create_function("fold", 1, fold, deterministic=True)
    conn.create_function("fts_query", 1, fts_query, deterministic=True)
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
