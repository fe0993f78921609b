import { children, readTlv } from '../der/reader';

/** The file size from an FCP template (62 … with 80 = data size, 81 = total size); other tags ignored. */
export function parseFcp(data: Uint8Array): { size?: number } {
  if (data.length === 0) return {};
  const fcp = readTlv(data);
  if (fcp.tag !== 0x62 && fcp.tag !== 0x6f) return {};
  for (const t of children(fcp, 2)) {
    if ((t.tag === 0x80 || t.tag === 0x81) && t.value.length >= 1 && t.value.length <= 4) {
      let n = 0;
      for (const b of t.value) n = n * 256 + b;
      return { size: n };
    }
  }
  return {};
}
