/**
 * TLP 2.0 as STIX 2.1 marking definitions (the OASIS TLP 2.0 extension's official ids), ordered from
 * most to least shareable. `red` exists so it can be recognised and refused: yojin never serves it.
 */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

const EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export const TLP_MARKING_IDS: Record<Tlp, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** TLP 1.0 marking ids (STIX 2.1 §7.2.1.4) as received from older partners, mapped to TLP 2.0. */
const TLP1_MARKING_IDS: Record<string, Tlp> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
};

export function tlpMarkingDefinition(level: Tlp) {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP_MARKING_IDS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: { [EXTENSION]: { extension_type: 'property-extension', tlp_2_0: level } },
  };
}

export function tlpRank(level: Tlp): number {
  return TLP_LEVELS.indexOf(level);
}

/** The most restrictive TLP among an object's marking refs; unmarked objects are treated as `fallback`. */
export function tlpOf(object: { object_marking_refs?: string[] }, fallback: Tlp = 'amber'): Tlp {
  let found: Tlp | undefined;
  for (const ref of object.object_marking_refs ?? []) {
    const level =
      (Object.entries(TLP_MARKING_IDS).find(([, id]) => id === ref)?.[0] as Tlp | undefined) ??
      TLP1_MARKING_IDS[ref];
    if (level && (found === undefined || tlpRank(level) > tlpRank(found))) found = level;
  }
  return found ?? fallback;
}

export function isTlpMarking(id: string): boolean {
  return Object.values(TLP_MARKING_IDS).includes(id) || id in TLP1_MARKING_IDS;
}
