import { chromium, type Browser } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A fake camera for the counter's scanner: Chromium plays a Y4M video file as the camera
// (`--use-file-for-fake-video-capture`, looping), and the video is made here, at test time, from
// the QR codes the server itself draws (`app/src/ui/qr.rs`: one path, a rectangle per run of dark modules), so the
// flow checks that what the server draws is what the scanner reads.

/** The dark modules of a QR code the server drew as SVG, and its side with the quiet zone. */
export function modules(svg: string): { side: number; dark: Set<string> } {
  const side = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? "";
  const dark = new Set<string>();
  for (const [, x, y, run] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(run); i++) dark.add(`${Number(x) + i},${y}`);
  }
  if (!side || dark.size === 0) throw new Error(`not a QR code of ours: ${svg.slice(0, 120)}`);
  return { side, dark };
}

const W = 640;
const H = 480;
const FPS = 10;

/** One 4:2:0 frame of a QR code (black on white, about 60 % of the frame's height) in grey. */
function frame(svg: string): Buffer {
  const { side, dark } = modules(svg);
  const px = Math.floor((H * 0.6) / side);
  const x0 = Math.floor((W - side * px) / 2);
  const y0 = Math.floor((H - side * px) / 2);
  const y = Buffer.alloc(W * H, 235);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      if (!dark.has(`${col},${row}`)) continue;
      for (let dy = 0; dy < px; dy++) y.fill(16, (y0 + row * px + dy) * W + x0 + col * px, (y0 + row * px + dy) * W + x0 + (col + 1) * px);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  return Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
}

/** A looping video showing each QR code for `seconds` in turn; returns its path. */
export function video(name: string, codes: string[], seconds = 1.5): string {
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F${FPS}:1 Ip A1:1 C420jpeg\n`)];
  for (const svg of codes) {
    const one = frame(svg);
    for (let i = 0; i < seconds * FPS; i++) parts.push(one);
  }
  const path = join(tmpdir(), `battery-swap-${name}-${process.pid}.y4m`);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** Chromium with `file` as its camera, the permission granted. */
export async function withCamera(file: string): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${file}`,
    ],
  });
}
