/** Incident and action references are per workspace: INC-1, A-1. */
export const formatIncidentRef = (n: number): string => `INC-${n}`;
export const formatActionRef = (n: number): string => `A-${n}`;

export function parseIncidentRef(text: string): number | undefined {
  const m = /^INC-?(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

export function parseActionRef(text: string): number | undefined {
  const m = /^A-?(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}
