// The counter's scanner (issue #35): staff scan a rider's collection code and packs' labels
// with the phone's or tablet's camera instead of typing them (`app/src/booking/counter.rs`,
// `app/src/station/console.rs`). Loaded by the page's loader once the console has hydrated;
// the decoder only when a camera first opens.
//
// A Scan button names its field (`data-scan-into`) and what it reads (`data-scan`: `code` or
// `pack`). What the QR holds must fit: our QR codes carry a prefix (`app/src/ui/qr.rs`), so a
// pack's label is never taken for a rider's code; a bare value is taken where it looks like one
// of that kind (a manufacturer's serial barcode). The value goes into the field as if typed;
// with `data-scan-submit` the form is then sent as its own button would send it, and
// `data-scan-next` names the field to type in next.
//
// Decoding: the browser's BarcodeDetector where it reads QR codes (Android, macOS, ChromeOS),
// otherwise jsQR 1.4.0 (npm `jsqr`, Apache-2.0, 57 KB gzipped, `public/scan/jsqr-1.4.0/`).
// The page says which one in `data-scan-decoder`.
//
// "Find a pack" (`form[data-find-pack]`) needs no server: the inventory's rows carry their
// serial, so the row is marked, brought into view and its first control focused; the mark
// stays when the live inventory is drawn again. The form shows once this has loaded.
const DECODER = "/scan/jsqr-1.4.0/jsQR.js";
const PREFIX = { code: "BSWAP:CODE:", pack: "BSWAP:PACK:" };
// What a bare value of each kind may look like (the server checks it again).
const BARE = { code: /^[A-HJ-NP-Z2-9]{6}$/, pack: /^[A-Za-z0-9_-]{1,64}$/ };
const TITLE = { code: "Scan the rider's code", pack: "Scan the pack's label" };

const root = document.documentElement;
if (!("finder" in root.dataset)) {
  root.dataset.finder = "";
  if (navigator.mediaDevices?.getUserMedia) {
    root.dataset.scan = "ready";
    document.addEventListener("click", (e) => {
      const button = e.target.closest?.("button[data-scan]");
      if (button) scan(button);
    });
    // A camera is never left on behind the page.
    document.addEventListener("visibilitychange", () => document.hidden && dialog?.open && dialog.close());
    addEventListener("pagehide", () => dialog?.open && dialog.close());
  }
  document.addEventListener("submit", (e) => {
    const form = e.target.closest?.("form[data-find-pack]");
    if (!form) return;
    e.preventDefault();
    find(form);
  });
}

/// What `text`, read from a QR code, gives a field of `kind`: `{ value }`, or `{ why }` not.
function read(text, kind) {
  const other = kind === "code" ? "pack" : "code";
  if (text.startsWith(PREFIX[kind])) return { value: text.slice(PREFIX[kind].length) };
  if (text.startsWith(PREFIX[other])) {
    return { why: kind === "code" ? "That is a pack's label: scan the rider's code." : "That is a rider's code: scan the pack's label." };
  }
  const bare = kind === "code" ? text.trim().toUpperCase() : text.trim();
  if (BARE[kind].test(bare)) return { value: bare };
  return { why: kind === "code" ? "That QR code is not a collection code." : "That QR code is not a pack's label." };
}

let dialog = null;
let session = null;

function ui() {
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.className = "scanner";
  dialog.setAttribute("aria-labelledby", "scanner-title");
  dialog.innerHTML =
    '<h2 id="scanner-title"></h2><video muted playsinline></video>' +
    '<p class="scan-status" role="status"></p><button type="button" class="secondary">Close</button>';
  dialog.querySelector("button").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", stop);
  document.body.append(dialog);
  return dialog;
}

/// Says `text` in the dialog, if `of` is still the scan it shows.
function say(text, of) {
  if (of && of !== session) return;
  ui().querySelector(".scan-status").textContent = text;
}

async function scan(button) {
  const kind = button.dataset.scan;
  const input = document.getElementById(button.dataset.scanInto);
  if (!input || !PREFIX[kind]) return;
  stop();
  const d = ui();
  d.querySelector("h2").textContent = TITLE[kind];
  say("Opening the camera…");
  d.showModal();
  const mine = { stopped: false, stream: null, timer: 0 };
  session = mine;
  try {
    mine.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  } catch (e) {
    say(e?.name === "NotAllowedError"
      ? "The camera is not allowed here: allow it in the browser's settings, or type instead."
      : "No camera could be opened: type instead.", mine);
    return;
  }
  if (mine.stopped) return release(mine);
  const video = d.querySelector("video");
  video.srcObject = mine.stream;
  await video.play().catch(() => {});
  let detect;
  try {
    detect = await decoder();
  } catch (e) {
    console.warn(e);
    release(mine);
    say("The decoder could not load: type instead.", mine);
    return;
  }
  if (mine.stopped) return;
  say("Point the camera at the QR code.", mine);
  const tick = async () => {
    if (mine.stopped) return;
    let texts = [];
    try {
      texts = await detect(video);
    } catch (e) {
      console.warn(e);
    }
    // Closed while the frame was read: what it held is not wanted any more.
    if (mine.stopped) return;
    for (const text of texts) {
      const got = read(text, kind);
      if (got.value === undefined) {
        say(got.why, mine);
        continue;
      }
      d.close();
      fill(input, got.value, button);
      return;
    }
    if (!mine.stopped) mine.timer = setTimeout(tick, 100);
  };
  tick();
}

function fill(input, value, button) {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const next = button.dataset.scanNext && document.getElementById(button.dataset.scanNext);
  (next || input).focus();
  // Sent as its button would send it: not while the form's last send is still under way.
  const send = input.form?.querySelector("button[type=submit]");
  if ("scanSubmit" in button.dataset && !send?.disabled) input.form.requestSubmit();
}

function stop() {
  if (!session) return;
  session.stopped = true;
  clearTimeout(session.timer);
  release(session);
  session = null;
}

function release(s) {
  s.stream?.getTracks().forEach((t) => t.stop());
  if (dialog && s === session) dialog.querySelector("video").srcObject = null;
}

let chosen = null;

/// A function from the video to the texts of the QR codes in its current frame.
async function decoder() {
  if (chosen) return chosen;
  if ("BarcodeDetector" in window) {
    try {
      if ((await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
        const detector = new BarcodeDetector({ formats: ["qr_code"] });
        document.documentElement.dataset.scanDecoder = "barcode-detector";
        return (chosen = async (video) => (await detector.detect(video)).map((c) => c.rawValue));
      }
    } catch (e) {
      console.warn(e);
    }
  }
  await script(DECODER);
  document.documentElement.dataset.scanDecoder = "jsqr";
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  return (chosen = async (video) => {
    const { videoWidth: w, videoHeight: h } = video;
    if (!w || !h) return [];
    // A phone's camera gives 1080p and more: 640 px across reads a QR code held at the counter
    // and keeps each try short.
    const scale = Math.min(1, 640 / w);
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "attemptBoth" });
    return found ? [found.data] : [];
  });
}

function script(src) {
  if (window.jsQR) return Promise.resolve();
  return new Promise((ok, fail) => {
    const el = Object.assign(document.createElement("script"), { src });
    el.onload = ok;
    el.onerror = () => fail(new Error(src));
    document.head.append(el);
  });
}

let found = "";
let marker = null;

function find(form) {
  const input = form.querySelector("input[name=serial]");
  const out = form.querySelector(".find-status");
  // A hand-held scanner types the label's whole text.
  let serial = input.value.trim();
  if (serial.toUpperCase().startsWith(PREFIX.pack)) serial = serial.slice(PREFIX.pack.length);
  found = "";
  mark();
  if (!serial) return;
  const row = rowOf(serial);
  if (!row) {
    out.textContent = `No pack ${serial} at this station.`;
    return;
  }
  found = row.dataset.serial;
  out.textContent = `Pack ${found}: its row is marked below.`;
  mark();
  row.scrollIntoView({ block: "center" });
  row.querySelector("select, input:not([type=hidden]), button")?.focus({ preventScroll: true });
  // The inventory is drawn again on every change of the station: mark the row again then.
  if (!marker) {
    marker = new MutationObserver(() => {
      const row = found && rowOf(found);
      const marked = document.querySelectorAll("tr.found");
      if (row && (marked.length !== 1 || marked[0] !== row)) mark();
    });
    // Rows are redrawn in place, in charge order: a row may come to hold another pack.
    marker.observe(form.closest("section") ?? document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["data-serial"],
    });
  }
}

function rowOf(serial) {
  return [...document.querySelectorAll("table.inventory tr[data-serial]")]
    .find((r) => r.dataset.serial.toUpperCase() === serial.toUpperCase());
}

function mark() {
  document.querySelectorAll("tr.found").forEach((r) => r.classList.remove("found"));
  if (found) rowOf(found)?.classList.add("found");
}
