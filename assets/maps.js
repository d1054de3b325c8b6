/* SeaStat maps: draw a choropleth in the browser from geometry sent once (geo-store) and the
   values a page sends with each filter change. Offline by default (map style "white-bg").

   With no tile layer ("white-bg") the map is an SVG choropleth on a hidden geo subplot: a few
   dozen paths draw at once, where the WebGL map (maplibre) costs a second or two of main-thread
   work on its first draw in a browser without a GPU, for a blank background anyway. A tiled style
   (settings.map_style, e.g. "carto-positron") keeps the WebGL map, which can show the tiles. */
(function () {
  // d3-geo (the SVG map) reads a ring's direction as inside/outside: an exterior ring drawn
  // counter-clockwise (the GeoJSON standard's own order) would fill the whole globe instead of
  // the area. Rewind once per layer: exteriors clockwise, holes counter-clockwise.
  var rewound = new WeakMap();

  // The geo subplot asks for a world outline (topojson) from plotly's CDN whenever a trace has
  // locations, even with every base layer hidden. No CDN at run time: an empty outline, in the
  // place plotly looks first, so nothing is fetched (the map draws only our areas).
  var geoAssets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
  geoAssets.topojson = geoAssets.topojson || {};
  ["world_110m", "world_50m"].forEach(function (name) {
    geoAssets.topojson[name] = geoAssets.topojson[name] || {type: "Topology", objects: {}, arcs: []};
  });

  function signedArea(ring) {
    var s = 0;
    for (var i = 0; i + 1 < ring.length; i++) {
      s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    }
    return s / 2;
  }

  function orient(ring, clockwise) {
    return (signedArea(ring) < 0) === clockwise ? ring : ring.slice().reverse();
  }

  function polygon(rings) {
    return rings.map(function (ring, i) { return orient(ring, i === 0); });
  }

  function forSvg(geojson) {
    if (rewound.has(geojson)) { return rewound.get(geojson); }
    var out = Object.assign({}, geojson, {
      features: (geojson.features || []).map(function (f) {
        var g = f.geometry;
        if (!g) { return f; }
        var coords = g.type === "Polygon" ? polygon(g.coordinates)
          : g.type === "MultiPolygon" ? g.coordinates.map(polygon) : g.coordinates;
        return Object.assign({}, f, {geometry: {type: g.type, coordinates: coords}});
      })
    });
    rewound.set(geojson, out);
    return out;
  }

  function drawMap(values, geo) {
    if (!values || !values.layer || !geo || !geo[values.layer]) {
      return window.dash_clientside.no_update;
    }
    var g = geo[values.layer];
    var svg = !values.style || values.style === "white-bg";
    var type = svg ? "choropleth" : "choroplethmap";
    var geojson = svg ? forSvg(g.geojson) : g.geojson;
    var selected = new Set(values.selected || []);
    var width = function (id) { return selected.has(id) ? 4 : 0.6; };
    var colour = function (id) { return selected.has(id) ? "#000000" : "#4d4d4d"; };
    var widths = values.ids.map(width);
    var colours = values.ids.map(colour);
    var unit = values.unit ? " " + values.unit : "";
    var z = values.values.map(function (v) { return v === null ? NaN : v; });
    // Every area of the layer first, in light grey, so areas with no value (no data in the period,
    // or suppressed) still show: the values may name none of them (a period before the data began).
    var features = (g.geojson.features || []);
    var allIds = features.map(function (f) { return f.id; });
    var base = {
      type: type, geojson: geojson, featureidkey: "id", locations: allIds,
      z: allIds.map(function () { return 0; }),
      text: features.map(function (f) { return (f.properties && f.properties.label) || f.id; }),
      showscale: false, colorscale: [[0, "#e9ecef"], [1, "#e9ecef"]],
      marker: {line: {width: allIds.map(width), color: allIds.map(colour)}},
      hovertemplate: "%{text}: no data<extra></extra>"
    };
    var layout = {height: 420, margin: {l: 0, r: 0, t: 0, b: 0}, clickmode: "event", uirevision: values.layer};
    if (svg) {
      layout.geo = {visible: false, fitbounds: "locations", projection: {type: "mercator"},
                    bgcolor: "rgba(0,0,0,0)"};
      layout.paper_bgcolor = "white";
      layout.dragmode = false;  // the page scrolls over the map; areas are picked by click or in Areas
    } else {
      layout.map = {style: values.style, center: g.center, zoom: g.zoom};
    }
    return {
      data: [base, {
        type: type,
        geojson: geojson,
        featureidkey: "id",
        locations: values.ids,
        z: z,
        text: values.labels,
        colorscale: [[0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1, "#08306b"]],
        marker: {line: {width: widths, color: colours}, opacity: 0.85},
        hovertemplate: "%{text}: %{z:,.3~f}" + unit + "<extra></extra>",
        colorbar: {thickness: 10, len: 0.8, title: {text: values.unit || ""}}
      }],
      layout: layout
    };
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    seastat: {
      needGeometry: function (values, geo) {
        if (!values || !values.layer) { return window.dash_clientside.no_update; }
        if (geo && geo[values.layer]) { return window.dash_clientside.no_update; }
        return values.layer;
      },
      drawMap: drawMap
    }
  });
})();
