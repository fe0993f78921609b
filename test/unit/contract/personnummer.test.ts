import { describe, expect, it } from 'vitest';
import { Personnummer, formatPersonnummer, parsePersonnummer } from '#contract';

describe('personnummer', () => {
  it('accepts a valid number with or without the dash and normalises to 12 digits', () => {
    expect(parsePersonnummer('19121212-1212')).toBe('191212121212');
    expect(parsePersonnummer('191212121212')).toBe('191212121212');
  });
  it('refuses a wrong check digit', () => {
    expect(parsePersonnummer('19121212-1213')).toBeNull();
  });
  it('refuses impossible dates', () => {
    expect(parsePersonnummer('19121312-1212')).toBeNull();
    expect(parsePersonnummer('19120231-0000')).toBeNull();
  });
  it('accepts a coordination number (samordningsnummer: day + 60)', () => {
    expect(parsePersonnummer('19121272-1219')).toBe('191212721219');
    expect(parsePersonnummer('19121272-1218')).toBeNull();
  });
  it('gives a Swedish validation message through the zod schema', () => {
    const r = Personnummer.safeParse('abc');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('Ogiltigt personnummer');
  });
  it('formats for display', () => {
    expect(formatPersonnummer('191212121212')).toBe('19121212-1212');
  });
});
