// Shared helpers of the benchmarks: temp files, statistics, machine description.
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, realpathSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/** Repository root (this file runs from build/bench/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lifeline-bench-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  disk: string;
  node: string;
  sqlite: string;
  betterSqlite3: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  const pkg = JSON.parse(safeRead(join(ROOT, 'node_modules', 'better-sqlite3', 'package.json')) || '{}') as { version?: string };
  return {
    nproc: availableParallelism(),
    cpuModel,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    disk: describeDisk(tmpdir()),
    node: process.version,
    sqlite,
    betterSqlite3: pkg.version ?? 'unknown',
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Best effort: block device, its rotational flag and the file system holding `path`. */
function describeDisk(path: string): string {
  try {
    const real = realpathSync(path);
    const dev = statSync(real).dev;
    const major = Math.floor(dev / 256) & 0xfff;
    const minor = (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00) >>> 0);
    const sys = `/sys/dev/block/${major}:${minor}`;
    let name = 'unknown';
    let rotational = '?';
    if (existsSync(sys)) {
      name = realpathSync(sys).split('/').pop() ?? name;
      const q = existsSync(join(sys, 'queue', 'rotational')) ? join(sys, 'queue', 'rotational') : join(sys, '..', 'queue', 'rotational');
      rotational = safeRead(q).trim() || '?';
    }
    // Longest mount point that prefixes the path.
    const mounts = safeRead('/proc/mounts')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2 && real.startsWith(f[1] as string))
      .sort((a, b) => (b[1] as string).length - (a[1] as string).length);
    const fs = mounts[0]?.[2] ?? 'unknown';
    const virtio = name.startsWith('vd') ? ' (virtio virtual disk; backing storage unknown)' : '';
    return `${name}${virtio}, rotational=${rotational} as reported by the kernel, ${fs} at ${path}`;
  } catch {
    return 'unknown';
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface Noise {
  /** Machine-wide CPU busy during the measurement, % of all CPUs. */
  machineBusyPct: number;
  /** This process's share, % of all CPUs (children not included). */
  selfBusyPct: number;
  loadAvg1: number;
}

function cpuTicks(): { busy: number; total: number } {
  const fields = (/^cpu\s+(.*)$/m.exec(safeRead('/proc/stat'))?.[1] ?? '').trim().split(/\s+/).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Measures how busy the machine was (other engineers' builds and tests share it). */
export function noiseMeter(): () => Noise {
  const t0 = cpuTicks();
  const self0 = process.cpuUsage();
  const wall0 = performance.now();
  return () => {
    const t1 = cpuTicks();
    const self = process.cpuUsage(self0);
    const wallMs = performance.now() - wall0;
    const cpus = availableParallelism();
    const total = t1.total - t0.total;
    return {
      machineBusyPct: total > 0 ? round((100 * (t1.busy - t0.busy)) / total, 1) : 0,
      selfBusyPct: wallMs > 0 ? round((100 * (self.user + self.system)) / 1000 / wallMs / cpus, 1) : 0,
      loadAvg1: round(Number(safeRead('/proc/loadavg').split(' ')[0] ?? 0), 2),
    };
  };
}
