import type { Command } from '@fleetlake/core';
import { hashPassword } from './credentials.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const hashPasswordCommand: Command = {
  summary: 'print an scrypt hash of a device password for the credentials file',
  help: `Usage: fleetlake-bridge hash-password DEVICE_ID   (password on standard input)

Prints a line for the credentials file (mqtt.credentialsFile):
  devices:
    DEVICE_ID: "scrypt$16384$8$1$<salt>$<hash>"

Example:
  echo -n 's3cret' | fleetlake-bridge hash-password car-001 >> devices.yaml`,
  async run({ positionals }) {
    const deviceId = positionals[0];
    if (!deviceId) throw new Error('give the deviceId');
    const password = await readStdin();
    if (!password) throw new Error('empty password on standard input');
    process.stdout.write(`  ${deviceId}: "${await hashPassword(password)}"\n`);
    return 0;
  },
};
