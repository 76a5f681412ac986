import { describe, expect, it } from 'vitest';
import { LoginGate, type LoginGateOptions } from '../src/login-gate.js';

const options: LoginGateOptions = { maxConcurrent: 2, maxWaitMs: 1000, addressFailures: 3, backoffBaseMs: 1000, backoffMaxMs: 8000 };

/** A check the test completes by hand. */
function manual() {
  const pending: ((ok: boolean) => void)[] = [];
  const check = () => new Promise<boolean>((resolve) => pending.push(resolve));
  return { check, pending };
}

describe('LoginGate', () => {
  it('runs at most maxConcurrent checks; the others wait and are served address by address', async () => {
    const gate = new LoginGate(options);
    const { check, pending } = manual();
    const order: string[] = [];
    const run = (id: string, address: string) => gate.run(id, address, () => (order.push(id), check()));
    const flood = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => run(id, 'attacker'));
    const valid = run('van-1', 'vehicle');
    await Promise.resolve();
    expect(gate.load).toEqual({ running: 2, waiting: 4 });
    expect(order).toEqual(['a1', 'a2']);
    pending.shift()!(false);
    await new Promise((r) => setImmediate(r));
    // The next slot goes to the attacker's next waiter, the one after to the vehicle: round robin.
    pending.shift()!(false);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a1', 'a2', 'a3', 'van-1']);
    while (pending.length) pending.shift()!(true);
    expect(await valid).toEqual({ checked: true, ok: true });
    await new Promise((r) => setImmediate(r));
    while (pending.length) pending.shift()!(true);
    await Promise.all(flood);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a login that waited maxWaitMs, and drops one whose connection closed', async () => {
    const gate = new LoginGate({ ...options, maxConcurrent: 1, maxWaitMs: 20 });
    const { check, pending } = manual();
    const first = gate.run('d1', 'x', check);
    expect(await gate.run('d2', 'y', check)).toEqual({ checked: false, refusal: 'login_busy' });
    let closed = false;
    const gone = gate.run('d3', 'z', check, () => closed);
    closed = true;
    pending.shift()!(true);
    expect(await first).toEqual({ checked: true, ok: true });
    expect(await gone).toEqual({ checked: false, refusal: 'closed' });
    expect(pending).toHaveLength(0); // d3 was never checked
  });

  it('gives a device one check at a time and a doubling back-off after failures; a success resets it', async () => {
    let now = 0;
    const gate = new LoginGate(options, () => now);
    const { check, pending } = manual();
    const first = gate.run('van-1', 'a', check);
    expect(await gate.run('van-1', 'b', check)).toEqual({ checked: false, refusal: 'login_limited_device' });
    pending.shift()!(false);
    await first;
    expect(await gate.run('van-1', 'b', check)).toEqual({ checked: false, refusal: 'login_limited_device' });
    now = 1000;
    const second = gate.run('van-1', 'b', check);
    pending.shift()!(false);
    await second;
    now = 2999; // second failure: 2 s
    expect(await gate.run('van-1', 'c', check)).toMatchObject({ refusal: 'login_limited_device' });
    now = 3000;
    const third = gate.run('van-1', 'c', check);
    pending.shift()!(true);
    expect(await third).toEqual({ checked: true, ok: true });
    const fourth = gate.run('van-1', 'c', check); // reset: no back-off
    pending.shift()!(false);
    expect(await fourth).toEqual({ checked: true, ok: false });
  });

  it('backs off an address after addressFailures failures in a row, not one that succeeds in between', async () => {
    let now = 0;
    const gate = new LoginGate(options, () => now);
    const answer = (ok: boolean) => () => Promise.resolve(ok);
    for (const id of ['u1', 'u2']) expect(await gate.run(id, 'nat', answer(false))).toEqual({ checked: true, ok: false });
    expect(await gate.run('good', 'nat', answer(true))).toEqual({ checked: true, ok: true });
    for (const id of ['u3', 'u4', 'u5']) expect(await gate.run(id, 'nat', answer(false))).toEqual({ checked: true, ok: false });
    expect(await gate.run('u6', 'nat', answer(false))).toEqual({ checked: false, refusal: 'login_limited_address' });
    expect(await gate.run('u6', 'elsewhere', answer(false))).toEqual({ checked: true, ok: false });
    now = 1000;
    expect(await gate.run('u7', 'nat', answer(false))).toEqual({ checked: true, ok: false });
    expect(await gate.run('u8', 'nat', answer(false))).toEqual({ checked: false, refusal: 'login_limited_address' });
  });
});
