/**
 * `npm run data -- update` run by the server itself every DATA_UPDATE_INTERVAL_HOURS (off by
 * default), or on an operator's request. It runs as a process of its own: a build writes
 * gigabytes through SQLite synchronously and must not hold up the suggestions this process
 * answers; the server switches to its result like any other build (geocoding/served-index.ts).
 */
import { spawn } from 'node:child_process';
import { operatorScript } from '../paths.js';
import type { Logger } from 'pino';
import { dataStatus } from './data-operations.js';

const DATA_SCRIPT = operatorScript('data');

export class DataUpdates {
  private timer: ReturnType<typeof setInterval> | null = null;
  private child: ReturnType<typeof spawn> | null = null;
  private next: number | null = null;

  constructor(
    private readonly indexDir: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.intervalMs || this.timer) return;
    this.next = Date.now() + this.intervalMs;
    this.timer = setInterval(() => {
      this.next = Date.now() + this.intervalMs;
      this.run('schedule');
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.next = null;
    this.child?.kill();
  }

  /** When the next scheduled update starts, or null when none is scheduled. */
  get nextAt(): string | null {
    return this.next ? new Date(this.next).toISOString() : null;
  }

  /** Starts an update now, unless one is running (here or in another process). */
  run(by: string): { started: boolean; reason?: string } {
    if (this.child || dataStatus(this.indexDir, { counts: false }).running) return { started: false, reason: 'an update or import is running' };
    if (!dataStatus(this.indexDir, { counts: false }).regions.length) return { started: false, reason: 'no region added yet: npm run data -- add <region>' };
    this.log.info({ by }, 'address data update started');
    // The child inherits this process's environment, so it reads the same configuration (INDEX_DIR included).
    const child = spawn(process.execPath, [...process.execArgv, DATA_SCRIPT, 'update'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => {
      this.child = null;
      const summary = output.trim().split('\n').slice(-6).join(' | ');
      if (code === 0) this.log.info({ summary }, 'address data update finished');
      else this.log.warn({ code, summary }, 'address data update failed; the served index is unchanged');
    });
    return { started: true };
  }
}
