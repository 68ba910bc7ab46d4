// The map: zones, vessels by party colour and heading, the selected vessel's trail, the
// selected event's geometry. It draws what state holds; clicks select.
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { baseStyle } from "./basemap.js";
import { addIcons } from "./icons.js";
import { colourOf, shownVessels, state } from "./state.js";

const EMPTY = { type: "FeatureCollection", features: [] };
let map = null;
let ready = false;

export function createMap(container, onSelect) {
  map = new maplibregl.Map({
    container,
    style: baseStyle,
    center: [49, 12.6],
    zoom: 6.3,
    attributionControl: { compact: true, customAttribution: "Natural Earth" },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: true }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "nautical" }), "bottom-right");
  map.on("load", () => {
    addIcons(map);
    for (const id of ["zones", "vessels", "trail", "event"]) {
      map.addSource(id, { type: "geojson", data: EMPTY });
    }
    map.addLayer({
      id: "zones-fill",
      type: "fill",
      source: "zones",
      paint: { "fill-color": "#f0b429", "fill-opacity": 0.12 },
    });
    map.addLayer({
      id: "zones-line",
      type: "line",
      source: "zones",
      paint: { "line-color": "#f0b429", "line-width": 1, "line-opacity": 0.7 },
    });
    map.addLayer({
      id: "trail",
      type: "line",
      source: "trail",
      paint: { "line-color": "#e6edf3", "line-width": 2, "line-dasharray": [2, 1] },
    });
    map.addLayer({
      id: "event-line",
      type: "line",
      source: "event",
      paint: { "line-color": "#ff4d4f", "line-width": 3 },
    });
    map.addLayer({
      id: "event-point",
      type: "circle",
      source: "event",
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": 14,
        "circle-color": "rgba(255,77,79,0.15)",
        "circle-stroke-color": "#ff4d4f",
        "circle-stroke-width": 2,
      },
    });
    map.addLayer({
      id: "vessels",
      type: "symbol",
      source: "vessels",
      layout: {
        "icon-image": ["get", "icon"],
        "icon-size": ["case", ["get", "selected"], 1.0, 0.75],
        "icon-rotate": ["get", "rotation"],
        "icon-rotation-alignment": "map",
        "icon-allow-overlap": true,
        "icon-ignore-placement": true,
      },
      paint: {
        "icon-color": ["get", "colour"],
        "icon-halo-color": "#ffffff",
        "icon-halo-width": ["case", ["get", "selected"], 2, 0],
        "icon-opacity": ["case", ["==", ["get", "release"], "delayed"], 0.65, 1],
      },
    });
    map.on("click", "vessels", (e) => onSelect(Number(e.features[0].properties.mmsi)));
    map.on("mouseenter", "vessels", () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", "vessels", () => (map.getCanvas().style.cursor = ""));
    ready = true;
    drawVessels();
  });
  return map;
}

export function drawVessels() {
  if (!ready) return;
  const features = [];
  for (const v of shownVessels()) {
    if (v.lat == null || v.lon == null) continue;
    const coarse = v.release === "coarsened";
    features.push({
      type: "Feature",
      geometry: { type: "Point", coordinates: [v.lon, v.lat] },
      properties: {
        mmsi: v.mmsi,
        colour: colourOf(v.party),
        icon: coarse ? "cell" : "vessel",
        rotation: coarse ? 0 : (v.heading ?? v.course ?? 0),
        release: v.release,
        selected: v.mmsi === state.selected,
      },
    });
  }
  map.getSource("vessels").setData({ type: "FeatureCollection", features });
}

function whenReady(draw) {
  if (ready) draw();
  else map.once("load", draw);
}

export function drawZones(collection) {
  whenReady(() => map.getSource("zones").setData(collection));
}

export function drawTrail(feature) {
  whenReady(() => {
    const data = feature && feature.geometry ? feature : EMPTY;
    map.getSource("trail").setData(data);
  });
}

export function showEvent(event) {
  whenReady(() => {
    if (!event || !event.geometry) {
      map.getSource("event").setData(EMPTY);
      return;
    }
    map.getSource("event").setData({ type: "Feature", geometry: event.geometry, properties: {} });
    const points = [];
    const walk = (c) => (typeof c[0] === "number" ? points.push(c) : c.forEach(walk));
    walk(event.geometry.coordinates);
    const bounds = points.reduce(
      (b, p) => b.extend(p),
      new maplibregl.LngLatBounds(points[0], points[0]),
    );
    map.fitBounds(bounds, { padding: 160, maxZoom: 8.5, duration: 800 });
  });
}
