// The push switch (`#push-device` on the Notifications and My bookings pages, issue #31): turns
// this device's push notifications on or off. On: the browser subscribes with its push service
// under the server's key (`/api/push_key`) and the server is told where to push
// (`/api/enable_push`); off: both are undone. The switch stays hidden in a browser that cannot
// push, and says so when the site's notifications are blocked.
const box = document.getElementById("push-device");
if (box && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window) {
  setUp(box).catch((e) => console.warn("the push switch could not start", e));
}

async function setUp(box) {
  const state = box.querySelector(".push-state");
  const button = box.querySelector("button");
  const registration = await navigator.serviceWorker.ready;
  box.hidden = false;
  const show = (on, text) => {
    box.dataset.on = on ? "yes" : "no";
    state.textContent = text;
    button.textContent = on ? "Turn off on this device" : "Turn on for this device";
    button.disabled = Notification.permission === "denied";
  };
  const refresh = async () => {
    if (Notification.permission === "denied") {
      return show(false, "Notifications are blocked for this site in this browser's settings.");
    }
    const subscription = await registration.pushManager.getSubscription();
    const on = !!subscription && (await call("push_enabled", { endpoint: subscription.endpoint }));
    show(on, on
      ? "On: your notifications come to this device, even with no tab open."
      : "Off: your notifications show here only while a tab is open.");
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (box.dataset.on === "yes") await turnOff(registration);
      else await turnOn(registration);
      await refresh();
    } catch (e) {
      await refresh().catch(() => {});
      state.textContent = `Not changed: ${e.message}`;
    }
  });
  await refresh();
}

async function turnOn(registration) {
  if ((await Notification.requestPermission()) !== "granted") {
    throw new Error("notifications were not allowed.");
  }
  const key = await (await fetch("/api/push_key")).json();
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: bytes(key),
  });
  const { endpoint, keys } = subscription.toJSON();
  await call("enable_push", { endpoint, p256dh: keys.p256dh, auth: keys.auth });
}

async function turnOff(registration) {
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await call("disable_push", { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

/// A server fn's answer (JSON), or its error's message.
async function call(name, fields) {
  const res = await fetch(`/api/${name}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(fields),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(errorText(text));
  return JSON.parse(text);
}

function errorText(text) {
  try {
    const body = JSON.parse(text);
    return body.message || body.error || text;
  } catch {
    return text;
  }
}

/// base64url to bytes.
function bytes(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}
