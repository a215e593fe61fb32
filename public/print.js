// The pack labels' Print button (`app/src/station/labels.rs`): hidden until this runs, since
// printing from a button needs JavaScript (the browser's own Print works without it).
const button = document.getElementById("print-labels");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
