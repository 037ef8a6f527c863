/**
 * Data minimisation: free text must not carry an NHS number or a date of birth (UK GDPR special category data).
 * A simple check, as DOMAIN.md asks; it names what it found so the reporter can use the person's reference instead.
 */
export type IdentifierKind = "NHS number" | "date of birth";

// 3-3-4 digits, spaced, dashed or run together.
const NHS_NUMBER = /\b(\d{3})[ -]?(\d{3})[ -]?(\d{4})\b/g;
const DATE_OF_BIRTH = /\b(d\.?o\.?b\.?|date of birth|born( on)?)\s*[:-]?\s*\d{1,4}[/.\- ]\d{1,2}[/.\- ]\d{2,4}\b/i;

/** The NHS number's own modulus 11 check digit, so phone numbers and other ten-digit runs rarely match. */
function isValidNhsNumber(digits: string): boolean {
  const sum = [...digits.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === Number(digits[9]);
}

export function findIdentifier(text: string | null | undefined): IdentifierKind | undefined {
  if (!text) return undefined;
  for (const m of text.matchAll(NHS_NUMBER)) {
    if (isValidNhsNumber(`${m[1]}${m[2]}${m[3]}`)) return "NHS number";
  }
  return DATE_OF_BIRTH.test(text) ? "date of birth" : undefined;
}

export function identifierWarning(kind: IdentifierKind): string {
  return `This looks like it contains a ${kind}. Please leave it out and use the person's reference instead.`;
}
