// "Use my location" on the station directory (`/`, issue #31): asks the browser for its
// position only when pressed, then loads the list nearest first from there
// (`?near=lat,lon&here=1`; the server sorts and measures). Plain JavaScript loaded once the page
// is interactive, outside the first load; the button stays hidden until this is ready.
const button = document.getElementById("locate");
const problem = document.getElementById("locate-problem");
if (button && problem && navigator.geolocation) {
  const label = button.textContent;
  const failed = (e) => {
    button.disabled = false;
    button.textContent = label;
    const why = e.code === e.PERMISSION_DENIED ? "permission refused"
      : e.code === e.TIMEOUT ? "no fix in time" : "position unavailable";
    problem.textContent = `Your location is not available (${why}): the list stays as it was. Type a place instead.`;
    problem.hidden = false;
  };
  const found = (position) => {
    const { latitude, longitude } = position.coords;
    const mine = document.querySelector('input[name="mine"]')?.checked ? "&mine=1" : "";
    // 4 decimals: about 10 m, enough to choose a station, and no more in the address (history,
    // logs) than that.
    location.href = `/?near=${latitude.toFixed(4)},${longitude.toFixed(4)}&here=1${mine}`;
  };
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = "Locating…";
    problem.hidden = true;
    // A position up to a minute old is fine for choosing a station.
    navigator.geolocation.getCurrentPosition(found, failed, { maximumAge: 60_000, timeout: 15_000 });
  });
  button.dataset.ready = "";
}
