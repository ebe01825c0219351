import { createCipheriv } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * Crypto-PAn prefix-preserving IP anonymisation (Xu, Fan, Ammar, Moon 2002): two addresses that share a
 * k-bit prefix map to two addresses that share exactly a k-bit prefix. For bit i, the output bit is the
 * input bit XOR the first bit of AES_K(first i input bits ‖ padding). The 32-byte key is the AES-128 key
 * (first half) and the padding source (second half, itself encrypted once), as in the reference
 * implementation. IPv6 uses the same construction over 128 bits.
 */
export class CryptoPAn {
  private readonly pad: Buffer;
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    if (secret.length !== 32) throw new Error('Crypto-PAn needs a 32-byte key');
    this.key = secret.subarray(0, 16);
    this.pad = this.aes(secret.subarray(16, 32));
  }

  private aes(block: Buffer): Buffer {
    const c = createCipheriv('aes-128-ecb', this.key, null);
    c.setAutoPadding(false);
    return c.update(block);
  }

  /** Anonymises the address bits (big-endian bytes, 4 or 16). */
  anonymizeBytes(addr: Uint8Array): Uint8Array {
    const bits = addr.length * 8;
    const out = new Uint8Array(addr.length);
    const block = Buffer.alloc(16);
    for (let i = 0; i < bits; i++) {
      // block = first i bits of the input, then the padding's bits from position i on
      for (let b = 0; b < 16; b++) {
        const start = b * 8;
        let byte = 0;
        for (let j = 0; j < 8; j++) {
          const pos = start + j;
          const bit = pos < i && pos < bits ? bitAt(addr, pos) : bitAt(this.pad, pos);
          byte = (byte << 1) | bit;
        }
        block[b] = byte;
      }
      const flip = this.aes(block)[0] >> 7;
      const result = bitAt(addr, i) ^ flip;
      if (result) out[i >> 3] |= 0x80 >> (i & 7);
    }
    return out;
  }

  /** Anonymises an IPv4 or IPv6 address given as text; returns text of the same family. */
  anonymize(address: string): string {
    const parsed = ipaddr.parse(address);
    const bytes = Uint8Array.from(parsed.toByteArray());
    return ipaddr.fromByteArray(Array.from(this.anonymizeBytes(bytes))).toString();
  }
}

function bitAt(bytes: Uint8Array, pos: number): number {
  return (bytes[pos >> 3] >> (7 - (pos & 7))) & 1;
}

/** Length of the common prefix of two equal-length addresses, in bits. */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length * 8; i++) if (bitAt(a, i) !== bitAt(b, i)) return i;
  return a.length * 8;
}
