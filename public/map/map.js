// The street map over the station directory (`/`, issue #31), drawn by Leaflet in the place
// of the server's plan view once the page is interactive (`app/src/station/map.rs`).
//
// Its markers are the list's cards: each `li.station-card` gives its station's position (its
// `geo:` directions link), name, address, status and counts, and the list's island keeps them
// live from the feed. The map follows the cards (a MutationObserver), so it shows the stations
// the list shows (search and "only my pack" included) with the counts the list shows, and
// opens no connection of its own. A marker counts the charged packs of the rider's model
// (`data-pack`), or all of them; tapping it opens the station's card with Book.
//
// The list follows the map in turn (`app/src/station/area.rs`): after every move the map
// writes a `watch` of the stations in its view into the list's `#map-watch` input, which the
// list's island sends on its feed, so only their counts come; it hides the cards outside the
// view (hidden, not removed: their markers stay) and says how many it shows. Every station seen
// stays known, so one that "only my pack" took out of the list is still followed, and comes
// back when a pack of the rider's model arrives there.
//
// Without tiles (none configured, offline, or a test machine without the internet) the map is
// a blank area under working markers.
const LEAFLET = "/map/leaflet-1.9.4/";

const box = document.getElementById("station-map");
if (box && !box.dataset.drawn) {
  box.dataset.drawn = "loading";
  Promise.all([stylesheet(LEAFLET + "leaflet.css"), stylesheet("/map/map.css"), script(LEAFLET + "leaflet.js")])
    .then(() => draw(box))
    .catch((e) => {
      // The plan view stays: the page works as it did.
      console.warn("the map could not load", e);
      delete box.dataset.drawn;
    });
}

function stylesheet(href) {
  return new Promise((ok, fail) => {
    const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href });
    link.onload = ok;
    link.onerror = () => fail(new Error(href));
    document.head.append(link);
  });
}

function script(src) {
  if (window.L) return Promise.resolve();
  return new Promise((ok, fail) => {
    const el = Object.assign(document.createElement("script"), { src });
    el.onload = ok;
    el.onerror = () => fail(new Error(src));
    document.head.append(el);
  });
}

/// One station as its card shows it, or null for a card without a position.
function station(card) {
  const geo = card.querySelector('a[href^="geo:"]');
  const at = geo && /^geo:(-?[\d.]+),(-?[\d.]+)/.exec(geo.getAttribute("href"));
  const link = card.querySelector("h2 a");
  if (!at || !link) return null;
  const text = (sel) => card.querySelector(sel)?.textContent.trim() ?? "";
  const yours = card.querySelector(".available-yours");
  return {
    id: card.dataset.stationId,
    at: [Number(at[1]), Number(at[2])],
    name: link.textContent.trim(),
    href: link.getAttribute("href"),
    status: text(".badge"),
    address: text(".address"),
    distance: text(".distance"),
    count: Number((yours ?? card.querySelector(".available"))?.textContent ?? 0),
    mine: !!yours,
  };
}

function draw(box) {
  const list = document.querySelector("ul.station-list");
  if (!list) return;
  const { tiles, attribution, near, pack, book } = box.dataset;
  const area = document.createElement("div");
  area.className = "map-area";
  // The plan's height, so that nothing below moves when the map takes its place.
  area.style.height = `${Math.max(box.getBoundingClientRect().height, 240)}px`;
  area.setAttribute("role", "region");
  area.setAttribute("aria-label", "Map of the stations in the list");
  const caption = document.createElement("p");
  caption.className = "map-caption";
  caption.setAttribute("role", "status");
  box.replaceChildren(area, caption);
  box.dataset.drawn = "yes";
  document.documentElement.dataset.map = "";

  const map = L.map(area, { zoomSnap: 0.5 });
  // Reachable from the page (the browser tests move it as a finger would).
  box.leafletMap = map;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution }).addTo(map);
  else map.attributionControl.setPrefix("");
  const from = near?.split(",").map(Number);
  if (from) {
    L.circleMarker(from, { radius: 7, className: "map-from" })
      .bindTooltip("You asked near here")
      .addTo(map);
  }

  // The view first: markers added to a map without one are only drawn once it has one,
  // afresh, without what `update` sets on them.
  frame(map, [...list.querySelectorAll("li.station-card")].map(station).filter(Boolean), from);
  const markers = new Map();
  const update = () => {
    const shown = [...list.querySelectorAll("li.station-card")].map(station).filter(Boolean);
    const seen = new Set();
    for (const s of shown) {
      seen.add(s.id);
      let m = markers.get(s.id);
      if (!m) {
        // Our icon from the start: Leaflet's default one is an image we do not ship.
        m = L.marker(s.at, { icon: icon(s), keyboard: true, riseOnHover: true });
        m.bindPopup(() => card(m.station, pack, book), { maxWidth: 260 });
        m.addTo(map);
        markers.set(s.id, m);
      }
      const was = m.station;
      m.station = s;
      if (!was || was.count !== s.count || was.status !== s.status || was.name !== s.name) {
        m.options.title = label(s, pack);
        m.setIcon(icon(s));
        m.setLatLng(s.at);
        m.getElement()?.setAttribute("aria-label", label(s, pack));
        if (m.isPopupOpen()) m.setPopupContent(card(s, pack, book));
      }
    }
    for (const [id, m] of markers) {
      if (!seen.has(id)) {
        m.remove();
        markers.delete(id);
      }
    }
    box.dataset.markers = String(markers.size);
    apart(map, markers);
    follow(map, list, box, caption);
  };
  update();
  map.on("zoomend", () => apart(map, markers));
  map.on("moveend", () => follow(map, list, box, caption));
  follow(map, list, box, caption);
  // Text and attribute changes of the cards (counts, status) and the list's own changes
  // (filters, stations added or closed), at most once per frame.
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      update();
    });
  }).observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
}

/// Every station any card showed, by id: its position.
const known = new Map();
const WATCH_MAX = 500;
let told = "";

/// The list follows the view: cards outside it hidden, the feed told to follow the stations
/// in it (nearest the middle first, at most 500), the caption saying how many are shown.
function follow(map, list, box, caption) {
  const bounds = map.getBounds();
  const mid = map.getCenter();
  const cards = [...list.querySelectorAll("li.station-card")];
  let inside = 0;
  for (const c of cards) {
    const s = station(c);
    if (!s) continue;
    known.set(s.id, s.at);
    const out = !bounds.contains(s.at);
    if (c.hidden !== out) c.hidden = out;
    if (!out) inside += 1;
  }
  const ids = [...known]
    .filter(([, at]) => bounds.contains(at))
    .sort((a, b) => mid.distanceTo(a[1]) - mid.distanceTo(b[1]))
    .slice(0, WATCH_MAX)
    .map(([id]) => id);
  const watch = `{"type":"watch","station_ids":[${ids.join(",")}]}`;
  const input = document.getElementById("map-watch");
  if (input && watch !== told) {
    told = watch;
    input.value = watch;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  box.dataset.following = ids.join(",");
  const text =
    inside < cards.length
      ? `${inside} of ${cards.length} stations in the list are in the map's view: move or zoom out for more.`
      : "";
  if (caption.textContent !== text) caption.textContent = text;
}

/// Markers closer than a finger's width at this zoom are spread around their middle (the
/// icon moves, the point stays), so that each is a target of its own, none covered by another.
const SIZE = 34;
function apart(map, markers) {
  const all = [...markers.values()].map((m) => ({ m, p: map.latLngToLayerPoint(m.getLatLng()) }));
  const placed = new Set();
  for (const a of all) {
    if (placed.has(a)) continue;
    const group = all.filter((b) => !placed.has(b) && a.p.distanceTo(b.p) < SIZE + 4);
    group.forEach((b) => placed.add(b));
    const r = group.length > 1 ? (SIZE + 6) / (2 * Math.sin(Math.PI / group.length)) : 0;
    const mid = group.reduce((s, b) => s.add(b.p), L.point(0, 0)).divideBy(group.length);
    group.forEach((b, i) => {
      const angle = (2 * Math.PI * i) / group.length - Math.PI / 2;
      const at = mid.add(L.point(Math.cos(angle) * r, Math.sin(angle) * r)).subtract(b.p);
      const el = b.m.getElement();
      if (!el) return;
      el.style.marginLeft = `${at.x - SIZE / 2}px`;
      el.style.marginTop = `${at.y - SIZE / 2}px`;
    });
  }
}

/// The first view: the asked point and its nearest stations, or every station, clear of the
/// zoom buttons (top left) and the credits (bottom right).
function frame(map, shown, from) {
  const points = shown.map((s) => s.at);
  const room = { paddingTopLeft: [64, 28], paddingBottomRight: [28, 36], maxZoom: 16 };
  if (from) {
    map.fitBounds(L.latLngBounds([from, ...points.slice(0, 3)]), room);
  } else if (points.length) {
    map.fitBounds(L.latLngBounds(points), room);
  } else {
    map.setView([0, 0], 1);
  }
}

function icon(s) {
  const state = s.status !== "online" ? "closed" : s.count > 0 ? "has" : "none";
  return L.divIcon({
    className: `map-pin map-pin-${state}`,
    html: `<span>${s.status === "online" ? s.count : "–"}</span>`,
    iconSize: [SIZE, SIZE],
    iconAnchor: [SIZE / 2, SIZE / 2],
    popupAnchor: [0, -15],
  });
}

/// "3 charged Gogoro packs", or the status of a station that takes no bookings.
function counted(s, pack) {
  if (s.status !== "online") return s.status;
  return `${s.count} charged ${s.mine && pack ? pack + " " : ""}pack${s.count === 1 ? "" : "s"}`;
}

function label(s, pack) {
  return `${s.name}: ${counted(s, pack)}`;
}

/// The popup: the station's name (its page), its count, distance and address, and Book. Built
/// from elements, never from HTML text: names are the operators' and addresses anyone's.
function card(s, pack, book) {
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  const root = el("div", { className: "map-card" });
  root.append(el("h3", {}, el("a", { href: s.href, textContent: s.name })));
  root.append(el("p", { className: "map-count", textContent: counted(s, pack) }));
  if (s.distance) root.append(el("p", { textContent: s.distance }));
  if (s.address) root.append(el("p", { className: "map-address", textContent: s.address }));
  if (s.status !== "online" || s.count === 0) {
    root.append(el("p", { textContent: "Nothing to book here now." }, " ", el("a", { href: s.href, textContent: "See the station" })));
  } else if (!book) {
    const back = encodeURIComponent(location.pathname + location.search);
    root.append(el("p", {}, el("a", { href: `/login?next=${back}`, textContent: "Log in" }), " to book here."));
  } else {
    // The station page's Book, as a plain form: the same request with a key of its own, so a
    // form sent twice books once; the server answers with the booking's page.
    const key = [...crypto.getRandomValues(new Uint32Array(4))].map((n) => n.toString(16).padStart(8, "0")).join("");
    const form = el("form", { method: "post", action: book, className: "quick-book" });
    form.append(
      el("input", { type: "hidden", name: "station_id", value: s.id }),
      el("input", { type: "hidden", name: "model", value: s.mine && pack ? pack : "" }),
      el("input", { type: "hidden", name: "idempotency_key", value: key }),
      el("button", { type: "submit", className: "primary", textContent: s.mine && pack ? `Book a ${pack}` : "Book" }),
    );
    form.addEventListener("submit", () => form.querySelector("button").setAttribute("disabled", ""));
    root.append(form);
  }
  return root;
}
