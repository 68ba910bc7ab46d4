// Vessel symbols drawn on a canvas (no sprite sheet to fetch), as SDF images so each is
// tinted with its party's colour: an arrow for a vessel, a hollow square for a grid cell
// (a coarsened unit: somewhere in that cell).
const SIZE = 32;

function image(draw) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIZE;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.strokeStyle = "#fff";
  draw(context);
  return context.getImageData(0, 0, SIZE, SIZE);
}

export function addIcons(map) {
  map.addImage(
    "vessel",
    image((c) => {
      c.beginPath();
      c.moveTo(SIZE / 2, 2);
      c.lineTo(SIZE - 7, SIZE - 4);
      c.lineTo(SIZE / 2, SIZE - 10);
      c.lineTo(7, SIZE - 4);
      c.closePath();
      c.fill();
    }),
    { sdf: true },
  );
  map.addImage(
    "cell",
    image((c) => {
      c.lineWidth = 4;
      c.strokeRect(5, 5, SIZE - 10, SIZE - 10);
    }),
    { sdf: true },
  );
}
