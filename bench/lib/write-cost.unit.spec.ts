import { check, WRITE_TARGETS } from './targets.cjs';
import { cpuBetween } from './processes.cjs';

describe('bench write targets', () => {
  it('checks ≥ and ≤ limits, and a missing measurement is not met', () => {
    expect(check('ratio', 0.2, '≥', WRITE_TARGETS.createRatioC32)).toEqual({
      target: 'ratio ≥ 0.14',
      measured: 0.2,
      unit: '',
      met: true,
    });
    expect(check('p99', 251, '≤', WRITE_TARGETS.createP99MsC32, ' ms').met).toBe(false);
    expect(check('cpu', 5, '≤', WRITE_TARGETS.cpuPerCreateMs, ' ms').met).toBe(true);
    expect(check('ratio', null, '≥', WRITE_TARGETS.bulkRatio)).toMatchObject({ measured: null, met: false });
  });
});

describe('bench CPU between two snapshots', () => {
  it('subtracts per pid, leaves out a pid that vanished, and reports the bench and the machine', () => {
    const self = { user: 1000, system: 0 };
    const before = { at: 0, machine: 100, pids: { gateway: 10, mongo: 20, gone: 5 }, self };
    const after = {
      at: 1000,
      machine: 700,
      pids: { gateway: 60, mongo: 220, gone: null },
      self: { user: 31_000, system: 0 },
    };
    expect(cpuBetween(before, after)).toEqual({
      ms: { gateway: 50, mongo: 200, bench: 30, machine: 600 },
      wallMs: 1000,
    });
  });
});
