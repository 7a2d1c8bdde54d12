import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * What managers filter pathways by in Temporal visibility. Never personal data: the patient is
 * findable only through a keyed hash of the NHS number (PatientKey), never the number itself.
 */
export const searchAttributes = {
  stage: defineSearchAttributeKey('HomewardStage', SearchAttributeType.KEYWORD),
  pathway: defineSearchAttributeKey('HomewardPathway', SearchAttributeType.KEYWORD),
  site: defineSearchAttributeKey('HomewardSite', SearchAttributeType.KEYWORD),
  localAuthority: defineSearchAttributeKey('HomewardLocalAuthority', SearchAttributeType.KEYWORD),
  dischargeReadyDate: defineSearchAttributeKey('HomewardDischargeReadyDate', SearchAttributeType.DATETIME),
  awaitingAgencies: defineSearchAttributeKey('HomewardAwaitingAgencies', SearchAttributeType.KEYWORD_LIST),
  delayReasons: defineSearchAttributeKey('HomewardDelayReasons', SearchAttributeType.KEYWORD_LIST),
  overdueSince: defineSearchAttributeKey('HomewardOverdueSince', SearchAttributeType.DATETIME),
  patientKey: defineSearchAttributeKey('HomewardPatientKey', SearchAttributeType.KEYWORD),
  dischargeDate: defineSearchAttributeKey('HomewardDischargeDate', SearchAttributeType.DATETIME),
} as const;

/** `Name=Type` pairs in the form `temporal server start-dev --search-attribute` and `temporal operator` take. */
export function searchAttributeFlags(): string[] {
  const cliType: Record<string, string> = {
    KEYWORD: 'Keyword',
    KEYWORD_LIST: 'KeywordList',
    DATETIME: 'Datetime',
    INT: 'Int',
    TEXT: 'Text',
    BOOL: 'Bool',
    DOUBLE: 'Double',
  };
  return Object.values(searchAttributes).map((key) => `${key.name}=${cliType[key.type]}`);
}
