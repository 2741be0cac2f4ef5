import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A small real filesystem (tmpfs) that the daemon's database can live on and that a test can
 * fill to the last byte and free again: a disk that is really full, with ENOSPC from the kernel.
 * Needs root (mount); `mountSmallFs` returns undefined where that is not allowed.
 */
export interface SmallFs {
  dir: string;
  /** Writes a filler file until the filesystem is full; returns the bytes written. */
  fill(): number;
  /** Deletes the filler: space returns. */
  free(): void;
  unmount(): void;
}

export function mountSmallFs(sizeMb: number): SmallFs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-fs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const filler = join(dir, "filler");
  return {
    dir,
    fill() {
      const fd = openSync(filler, "a");
      const block = Buffer.alloc(16 * 1024, 0x2e);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      } finally {
        closeSync(fd);
      }
      // The last partial block.
      const fd2 = openSync(filler, "a");
      try {
        for (;;) written += writeSync(fd2, Buffer.alloc(512, 0x2e));
      } catch {
        // full to the byte
      } finally {
        closeSync(fd2);
      }
      return written;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync("umount", ["-l", dir], { stdio: "ignore" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let mountable: boolean | undefined;
let chattrable: boolean | undefined;

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN); probed once. */
export function canMountSmallFs(): boolean {
  if (mountable === undefined) {
    const fs = mountSmallFs(1);
    mountable = fs !== undefined;
    fs?.unmount();
  }
  return mountable;
}

/** Whether this process may set the immutable attribute on files in the temp folder; probed once. */
export function canSetImmutable(): boolean {
  if (chattrable === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "stockwatch-chattr-"));
    const file = join(dir, "probe");
    writeFileSync(file, "x");
    chattrable = setImmutable([file], true);
    if (chattrable) setImmutable([file], false);
    rmSync(dir, { recursive: true, force: true });
  }
  return chattrable;
}

/**
 * Sets or clears the immutable attribute (chattr ±i): even root cannot write the file then, and
 * writes through descriptors opened before fail with EPERM — a database that turned read-only
 * under a running process. False where chattr is not possible (not root, filesystem without it).
 */
export function setImmutable(files: readonly string[], on: boolean): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync("chattr", [on ? "+i" : "-i", ...files], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
