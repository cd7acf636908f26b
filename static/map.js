/* The map of places: land, sea, coastlines, borders and U.S. state lines drawn from Natural Earth
   (world-atlas) and U.S. Census (us-atlas) data served by this site, with a circle per place sized
   by its number of events; a place's popup lists its events as links. No request leaves the site.

   binationalMap(element, {places: URL of [{place_id, place, latitude, longitude, events}],
                           events: function (place) -> URL of [{id, title, start_date}]}) */
(function () {
  "use strict";

  var VENDOR = "/assets/vendor/";
  var LABELS = [
    ["United States", 39.5, -98.5],
    ["Mexico", 23.8, -102.5],
    ["Canada", 52.5, -106],
    ["Guatemala", 15.6, -90.4],
    ["Gulf of Mexico", 25.2, -90.2],
    ["Pacific Ocean", 18, -118]
  ];

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(url + " answered " + response.status); }
      return response.json();
    });
  }

  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  function radius(events) {
    return 5 + 4 * Math.sqrt(events);
  }

  function popupFor(place, eventsUrl) {
    var box = element("div", null, {"class": "map-popup"});
    var title = element("strong");
    title.appendChild(element("a", place.place, {href: "/binational/places/" + encodeURIComponent(place.place_id)}));
    box.appendChild(title);
    box.appendChild(element("div", place.events + (place.events === 1 ? " event" : " events")));
    var list = element("ul");
    box.appendChild(list);
    getJSON(eventsUrl).then(function (events) {
      events.forEach(function (event) {
        var item = element("li");
        item.appendChild(element("a", event.title, {href: "/binational/events/" + encodeURIComponent(event.id)}));
        if (event.start_date) { item.appendChild(element("span", " " + event.start_date, {"class": "map-date"})); }
        list.appendChild(item);
      });
    }).catch(function () { list.appendChild(element("li", "The events could not be loaded.")); });
    return box;
  }

  window.binationalMap = function (container, options) {
    var map = L.map(container, {zoomSnap: 0.5, worldCopyJump: false, maxBounds: [[-60, -180], [85, 180]]});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth, U.S. Census Bureau");
    map.setView([30, -100], 3.5);
    return Promise.all([getJSON(VENDOR + "countries-50m.json"), getJSON(VENDOR + "states-10m.json"), getJSON(options.places)])
      .then(function (loaded) {
        var world = loaded[0], states = loaded[1], places = loaded[2];
        L.geoJSON(topojson.feature(world, world.objects.land), {
          style: {stroke: true, color: "#6b7f8e", weight: 0.8, fillColor: "#f4f2ea", fillOpacity: 1},
          interactive: false
        }).addTo(map);
        L.geoJSON(topojson.mesh(states, states.objects.states, function (a, b) { return a !== b; }), {
          style: {color: "#b9b3a3", weight: 0.7}, interactive: false
        }).addTo(map);
        L.geoJSON(topojson.mesh(world, world.objects.countries, function (a, b) { return a !== b; }), {
          style: {color: "#6d5f4b", weight: 1.6}, interactive: false
        }).addTo(map);
        LABELS.forEach(function (label) {
          L.marker([label[1], label[2]], {
            interactive: false, keyboard: false,
            icon: L.divIcon({className: "map-label", html: "", iconSize: null})
          }).addTo(map).getElement().textContent = label[0];
        });
        var markers = places.filter(function (place) { return place.latitude !== null && place.longitude !== null; })
          .map(function (place) {
            var marker = L.circleMarker([place.latitude, place.longitude], {
              radius: radius(place.events), color: "#8a1c1c", weight: 1.5, fillColor: "#c0392b", fillOpacity: 0.55
            });
            marker.bindTooltip(place.place + " (" + place.events + ")");
            marker.bindPopup(function () { return popupFor(place, options.events(place)); });
            marker.on("keypress", function (event) { if (event.originalEvent.key === "Enter") { marker.openPopup(); } });
            return marker.addTo(map);
          });
        if (markers.length) {
          map.fitBounds(L.featureGroup(markers).getBounds().pad(0.6), {maxZoom: 6});
        }
        container.setAttribute("data-places", String(markers.length));
        return markers.length;
      });
  };
})();
