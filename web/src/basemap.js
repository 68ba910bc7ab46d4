// The base map, offline: Natural Earth 1:50m countries from the world-atlas package,
// bundled into the page, drawn as plain fills and lines. No tiles, glyphs or sprites are
// fetched from anywhere: the users are on closed networks.
import { feature } from "topojson-client";
import countries from "world-atlas/countries-50m.json";

const land = feature(countries, countries.objects.countries);

export const baseStyle = {
  version: 8,
  sources: {
    land: { type: "geojson", data: land },
  },
  layers: [
    { id: "sea", type: "background", paint: { "background-color": "#0d2235" } },
    { id: "land", type: "fill", source: "land", paint: { "fill-color": "#24313d" } },
    {
      id: "coast",
      type: "line",
      source: "land",
      paint: { "line-color": "#4c5f70", "line-width": 0.6 },
    },
  ],
};
