/* plotly.js with only the trace types SeaStat draws, built at install time (`make js`).

   The full plotly.min.js is 4.8 MB; a browser compiles it on the first visit of a page with a
   chart, which alone took the measure page past 1.5 s. SeaStat draws lines (scatter, in core),
   bars and SVG choropleths, so this bundle registers only those. Nothing here is committed but
   this file and the pinned versions in package.json; the bundle itself is built from npm. */
var Plotly = require("plotly.js/lib/core");

Plotly.register([
    require("plotly.js/lib/bar"),
    require("plotly.js/lib/choropleth"),
]);

module.exports = Plotly;
