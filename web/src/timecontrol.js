// Looking back: "Live" follows the stream; off, a slider picks a time in the last six
// hours and the picture at that time is fetched (as the rules release it then).
import { all } from "./api.js";
import { changed, state } from "./state.js";

const HOURS = 6;

export function createTimeControl(container) {
  const live = document.createElement("input");
  live.type = "checkbox";
  live.checked = true;
  live.id = "time-live";
  const label = document.createElement("label");
  label.htmlFor = "time-live";
  label.textContent = "Live";
  const slider = document.createElement("input");
  slider.type = "range";
  slider.min = String(-HOURS * 60);
  slider.max = "0";
  slider.value = "0";
  slider.step = "1";
  slider.id = "time-slider";
  slider.setAttribute("aria-label", "minutes before now");
  const shown = document.createElement("output");
  shown.id = "time-shown";
  shown.textContent = "now";
  container.replaceChildren(live, label, slider, shown);

  let asked = 0;
  async function look() {
    const minutes = Number(slider.value);
    if (live.checked || minutes === 0) {
      live.checked = true;
      slider.value = "0";
      state.past = null;
      shown.textContent = "now";
      changed();
      return;
    }
    const base = state.now ? Date.parse(state.now) : Date.now();
    const at = new Date(base + minutes * 60000).toISOString();
    shown.textContent = at.replace("T", " ").slice(0, 16) + "Z";
    const mine = ++asked;
    const vessels = await all(`/api/vessels?at=${encodeURIComponent(at)}&limit=5000`);
    if (mine !== asked || live.checked) return; // a newer question, or back to live
    state.past = vessels;
    changed();
  }
  live.addEventListener("change", () => {
    if (!live.checked && slider.value === "0") slider.value = "-30";
    look();
  });
  slider.addEventListener("change", () => {
    live.checked = Number(slider.value) === 0;
    look();
  });
}
