/* SeaStat maps: draw a choropleth in the browser from geometry sent once (geo-store) and the
   values a page sends with each filter change. Offline by default (map style "white-bg"). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  seastat: {
    needGeometry: function (values, geo) {
      if (!values || !values.layer) { return window.dash_clientside.no_update; }
      if (geo && geo[values.layer]) { return window.dash_clientside.no_update; }
      return values.layer;
    },
    drawMap: function (values, geo) {
      if (!values || !values.layer || !geo || !geo[values.layer]) {
        return window.dash_clientside.no_update;
      }
      var g = geo[values.layer];
      var selected = new Set(values.selected || []);
      var widths = values.ids.map(function (id) { return selected.has(id) ? 4 : 0.6; });
      var colours = values.ids.map(function (id) { return selected.has(id) ? "#000000" : "#4d4d4d"; });
      var unit = values.unit ? " " + values.unit : "";
      var z = values.values.map(function (v) { return v === null ? NaN : v; });
      // Every area first in light grey, so areas with no value (no data, or suppressed) still show.
      var base = {
        type: "choroplethmap", geojson: g.geojson, featureidkey: "id", locations: values.ids,
        z: values.ids.map(function () { return 0; }), text: values.labels, showscale: false,
        colorscale: [[0, "#e9ecef"], [1, "#e9ecef"]], marker: {line: {width: widths, color: colours}},
        hovertemplate: "%{text}: no data<extra></extra>"
      };
      return {
        data: [base, {
          type: "choroplethmap",
          geojson: g.geojson,
          featureidkey: "id",
          locations: values.ids,
          z: z,
          text: values.labels,
          colorscale: [[0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1, "#08306b"]],
          marker: {line: {width: widths, color: colours}, opacity: 0.85},
          hovertemplate: "%{text}: %{z:,.3~f}" + unit + "<extra></extra>",
          colorbar: {thickness: 10, len: 0.8, title: {text: values.unit || ""}}
        }],
        layout: {
          height: 420,
          margin: {l: 0, r: 0, t: 0, b: 0},
          map: {style: values.style || "white-bg", center: g.center, zoom: g.zoom},
          clickmode: "event",
          uirevision: values.layer
        }
      };
    }
  }
});
