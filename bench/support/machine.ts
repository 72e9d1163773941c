import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverage: number;
  date: string;
}

export function machineFacts(now = new Date()): MachineFacts {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}
