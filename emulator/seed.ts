import type { BatchTaskState as BatchTaskStateFilter, CANCELLATION_BEHAVIOURS } from "../src/model/batch-task.js";

/** A concrete batch task state, spelled as on the wire ("Aquired" is NetServer's spelling): any but the `All` filter. */
export type BatchTaskState = Exclude<BatchTaskStateFilter, "All">;

/** Services88's `BatchTaskCancellationBehaviour`. */
export type CancellationBehaviour = (typeof CANCELLATION_BEHAVIOURS)[number];

/** One `StringKeyValuePair` of a `StringDictionary`; `null` is written as `i:nil="true"`. */
export interface SeedStringPair {
  readonly key: string | null;
  readonly value: string | null;
}

/** A `TableRight` / `FieldRight`: `mask` is the xs:list text (e.g. "Select Update"). */
export interface SeedRight {
  readonly mask: string;
  readonly reason: string | null;
}

/** One `FieldPropertyDictionaryKeyValuePair` of the Carrier's `FieldProperties`. */
export interface SeedFieldProperty {
  readonly key: string;
  readonly fieldRight: SeedRight | null;
  readonly fieldType: string | null;
  readonly fieldLength: number;
}

/**
 * A `BatchTaskInfo` as the emulator stores and serialises it.
 *
 * Strings typed `string | null` are written as `i:nil="true"` when null and as an empty
 * element when "". Dates are the exact xs:dateTime text to write; `null` omits the element.
 * `parameterObject` null is a nil dictionary, `[]` an empty one. `tableRight` /
 * `fieldProperties` are the Carrier base members that consumers are expected to ignore.
 *
 * `fileName` and `cancellationBehaviour` are Services88 members, written only in Services88 answers (after
 * `ProgressPercent`); `cancellationBehaviour` null omits the element. A task in state `SucceededManualCleanup`
 * (Services88's) is left out of Services85 answers: that contract has no such state, so a Services85 server
 * cannot describe the task.
 */
export interface SeedTask {
  readonly tableRight: SeedRight | null;
  readonly fieldProperties: readonly SeedFieldProperty[] | null;
  readonly id: number;
  readonly name: string | null;
  readonly associateId: number;
  readonly detailsTable: number;
  readonly detailsRecord: number;
  readonly isSystemTask: boolean;
  readonly isInternalTask: boolean;
  readonly parameterObject: readonly SeedStringPair[] | null;
  readonly lastStarted: string | null;
  readonly created: string | null;
  readonly startCount: number;
  readonly databaseSerialNumber: string | null;
  readonly context: string | null;
  readonly result: string | null;
  readonly state: BatchTaskState;
  readonly description: string | null;
  readonly response: string | null;
  readonly request: string | null;
  readonly progressDescription: string | null;
  readonly progressPercent: number;
  readonly fileName: string | null;
  readonly cancellationBehaviour: CancellationBehaviour | null;
}

/** xs:dateTime NetServer uses for "never" (DateTime.MinValue). */
export const NEVER = "0001-01-01T00:00:00";

/** The database serial number every seeded task carries (and the Online emulator's `serial` claim). */
export const SERIAL = "1248736522";

const NO_CARRIER = { tableRight: null, fieldProperties: null } as const;

/**
 * The deterministic task set served by default.
 *
 * - System tasks (associateId 0, IsSystemTask): 1 Succeeded, 2 Started, 3 New, 4 SucceededManualCleanup.
 * - Associate 5: 101 New, 102 Started, 103 Succeeded, 112 SucceededManualCleanup.
 * - Associate 7: 104 Aquired (internal task), 105 Failed, 106 Unknown.
 * - Associate 12: 107 New, 108 Succeeded (non-nil TableRight / FieldProperties).
 * - Associate 42: 109 Started, 110 Failed, 111 Succeeded.
 *
 * Services88 answers carry every task with its `FileName` and `CancellationBehaviour` (106 has none: the element is
 * left out); Services85 answers leave out 4 and 112, whose state Services85 does not have.
 */
export const SEED_TASKS: readonly SeedTask[] = [
  {
    ...NO_CARRIER,
    id: 1,
    name: "Nightly travel transfer",
    associateId: 0,
    detailsTable: 0,
    detailsRecord: 0,
    isSystemTask: true,
    isInternalTask: false,
    parameterObject: [
      { key: "Schedule", value: "Daily 02:00" },
      { key: "Target", value: "Central" },
    ],
    lastStarted: "2026-11-20T02:00:00.0000000+01:00",
    created: "2024-01-15T09:30:00.5000000+01:00",
    startCount: 312,
    databaseSerialNumber: SERIAL,
    context: "System",
    result: "Transferred 1 204 records",
    state: "Succeeded",
    description: "Transfers travel data between central and satellite databases",
    response: "OK",
    request: null,
    progressDescription: "Done",
    progressPercent: 100,
    fileName: null,
    cancellationBehaviour: "CannotCancel",
  },
  {
    ...NO_CARRIER,
    id: 2,
    name: "Rebuild search index",
    associateId: 0,
    detailsTable: 0,
    detailsRecord: 0,
    isSystemTask: true,
    isInternalTask: false,
    parameterObject: [
      { key: "Tables", value: "contact,person,project" },
      { key: "Full", value: "false" },
      { key: "BatchSize", value: "500" },
    ],
    lastStarted: "2026-11-20T07:00:00Z",
    created: "2025-03-01T12:00:00Z",
    startCount: 57,
    databaseSerialNumber: SERIAL,
    context: "System",
    result: null,
    state: "Started",
    description: "Incremental rebuild of the free-text search index",
    response: null,
    request: null,
    progressDescription: "Indexing person (2 of 3)",
    progressPercent: 66,
    fileName: null,
    cancellationBehaviour: "CanCancel",
  },
  {
    ...NO_CARRIER,
    id: 3,
    name: "Purge expired tickets",
    associateId: 0,
    detailsTable: 0,
    detailsRecord: 0,
    isSystemTask: true,
    isInternalTask: false,
    parameterObject: [],
    lastStarted: NEVER,
    created: "2026-11-20T08:00:00",
    startCount: 0,
    databaseSerialNumber: SERIAL,
    context: "",
    result: "",
    state: "New",
    description: "",
    response: "",
    request: "",
    progressDescription: "",
    progressPercent: 0,
    fileName: null,
    cancellationBehaviour: "CanCancel",
  },
  {
    ...NO_CARRIER,
    id: 4,
    name: "Archive closed requests",
    associateId: 0,
    detailsTable: 0,
    detailsRecord: 0,
    isSystemTask: true,
    isInternalTask: false,
    parameterObject: [{ key: "ClosedBefore", value: "2025-01-01" }],
    lastStarted: "2026-11-19T01:00:00.0000000+01:00",
    created: "2026-11-19T00:59:58.2500000+01:00",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "System",
    result: "Archived 8 113 requests",
    state: "SucceededManualCleanup",
    description: "Moves closed requests to the archive; the archive file must be removed by hand",
    response: null,
    request: null,
    progressDescription: "Done",
    progressPercent: 100,
    fileName: "requests-before-2025.zip",
    cancellationBehaviour: "CannotCancel",
  },
  {
    ...NO_CARRIER,
    id: 101,
    name: "Mass update of companies",
    associateId: 5,
    detailsTable: 5,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "EntityType", value: "contact" },
      { key: "SelectionId", value: "17" },
      { key: "Field", value: "business_idx" },
      { key: "NewValue", value: "4" },
    ],
    lastStarted: NEVER,
    created: "2026-11-20T08:15:30.1234567+01:00",
    startCount: 0,
    databaseSerialNumber: SERIAL,
    context: "MassOperations",
    result: null,
    state: "New",
    description: 'Set business to "Software" on 250 companies',
    response: null,
    request: "<Selection id=\"17\" type='static'/>",
    progressDescription: null,
    progressPercent: 0,
    fileName: null,
    cancellationBehaviour: "CancelWithWarning",
  },
  {
    ...NO_CARRIER,
    id: 102,
    name: "Export selection to Excel",
    associateId: 5,
    detailsTable: 21,
    detailsRecord: 17,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "Format", value: "xlsx" },
      { key: "Columns", value: "name;department;phone" },
    ],
    lastStarted: "2026-11-20T09:01:02.0000001Z",
    created: "2026-11-20T09:00:59.9876543Z",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "Selection",
    result: null,
    state: "Started",
    description: "Export of selection 17",
    response: null,
    request: null,
    progressDescription: "Writing rows 450/1000",
    progressPercent: 45,
    fileName: "Selection 17.xlsx",
    cancellationBehaviour: "CanCancel",
  },
  {
    ...NO_CARRIER,
    id: 103,
    name: 'Send mailing "Winter offer" & follow-up <Q1>',
    associateId: 5,
    detailsTable: 224,
    detailsRecord: 88,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "MailingId", value: "88" },
      { key: "Subject", value: 'Tom & Jerry\'s <special> "offer"' },
    ],
    lastStarted: "2026-11-19T16:45:00.5000000-05:00",
    created: "2026-11-19T16:40:12.0000000-05:00",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "Mailing",
    result: "Sent 1 200 of 1 200 messages; 3 bounced > retry later",
    state: "Succeeded",
    description: "Quarterly mailing to customers in segment 'A & B'",
    response: '{"sent":1200,"bounced":3}',
    request: null,
    progressDescription: "Completed",
    progressPercent: 100,
    fileName: null,
    cancellationBehaviour: "CancelWithWarning",
  },
  {
    ...NO_CARRIER,
    id: 104,
    name: "Recalculate sale stakeholders (internal)",
    associateId: 7,
    detailsTable: 0,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: true,
    parameterObject: [{ key: "SaleIds", value: "1,2,3,5,8,13" }],
    lastStarted: "2026-11-20T10:00:00.0000000+00:00",
    created: "2026-11-20T09:59:58.0000000+00:00",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "Internal",
    result: null,
    state: "Aquired",
    description: null,
    response: null,
    request: null,
    progressDescription: "Waiting for worker",
    progressPercent: 10,
    fileName: null,
    cancellationBehaviour: "CannotCancel",
  },
  {
    ...NO_CARRIER,
    id: 105,
    name: "Import persons from CSV",
    associateId: 7,
    detailsTable: 6,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "File", value: "C:\\Import\\persons.csv" },
      { key: "Separator", value: ";" },
    ],
    lastStarted: "2026-11-18T14:20:00.1000000+01:00",
    created: "2026-11-18T14:19:30.0000000+01:00",
    startCount: 2,
    databaseSerialNumber: SERIAL,
    context: "Import",
    result: 'Row 412: value <unknown> for field "email" is not valid & was rejected',
    state: "Failed",
    description: "Import of trade-fair leads",
    response: null,
    request: null,
    progressDescription: "Aborted at row 412",
    progressPercent: 63,
    fileName: "persons.csv",
    cancellationBehaviour: "CanCancel",
  },
  {
    ...NO_CARRIER,
    id: 106,
    name: null,
    associateId: 7,
    detailsTable: 0,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: null,
    lastStarted: null,
    created: null,
    startCount: 0,
    databaseSerialNumber: null,
    context: null,
    result: null,
    state: "Unknown",
    description: null,
    response: null,
    request: null,
    progressDescription: null,
    progressPercent: 0,
    fileName: null,
    cancellationBehaviour: null,
  },
  {
    tableRight: null,
    fieldProperties: [],
    id: 107,
    name: "Import från Ålesund 🚀",
    associateId: 12,
    detailsTable: 5,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [],
    lastStarted: NEVER,
    created: "2026-11-20T11:11:11.1111111+01:00",
    startCount: 0,
    databaseSerialNumber: SERIAL,
    context: "",
    result: "",
    state: "New",
    description: "Kundar i Møre og Romsdal – «viktig»",
    response: "",
    request: "",
    progressDescription: "",
    progressPercent: 0,
    fileName: "",
    cancellationBehaviour: "CanCancel",
  },
  {
    tableRight: { mask: "Select Update", reason: "" },
    fieldProperties: [
      {
        key: "Name",
        fieldRight: { mask: "Read Write", reason: "" },
        fieldType: "System.String",
        fieldLength: 255,
      },
    ],
    id: 108,
    name: "Generate quote documents",
    associateId: 12,
    detailsTable: 299,
    detailsRecord: 4711,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "QuoteVersionId", value: "4711" },
      { key: "Template", value: "Standard quote" },
      { key: "Language", value: "nb-NO" },
    ],
    lastStarted: "2026-11-17T13:00:00.0000000+01:00",
    created: "2026-11-17T12:58:41.7654321+01:00",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "Quote",
    result: "Created 2 documents",
    state: "Succeeded",
    description: "Quote for sale 4711",
    response: "DocumentIds=901,902",
    request: "QuoteVersionId=4711",
    progressDescription: "Done",
    progressPercent: 100,
    fileName: "Quote 4711 & appendix <draft>.docx",
    cancellationBehaviour: "CannotCancel",
  },
  {
    ...NO_CARRIER,
    id: 109,
    name: "Duplicate check",
    associateId: 42,
    detailsTable: 5,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "Rule", value: "name+phone" },
      { key: "Threshold", value: null },
    ],
    lastStarted: "2026-11-20T12:30:00Z",
    created: "2026-11-20T12:29:00Z",
    startCount: 3,
    databaseSerialNumber: SERIAL,
    context: "Duplicates",
    result: null,
    state: "Started",
    description: "Finding duplicate companies",
    response: null,
    request: null,
    progressDescription: "Almost there",
    progressPercent: 99,
    fileName: null,
    cancellationBehaviour: "CanCancel",
  },
  {
    ...NO_CARRIER,
    id: 110,
    name: "Sync calendar with Exchange",
    associateId: 42,
    detailsTable: 9,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "Mailbox", value: "anna@example.com" },
      { key: "Days", value: "30" },
    ],
    lastStarted: "2026-11-20T06:00:00.0000000+01:00",
    created: "2026-10-01T08:00:00.0000000+02:00",
    startCount: 51,
    databaseSerialNumber: SERIAL,
    context: "Sync",
    result: "The remote server returned an error: (401) Unauthorized.",
    state: "Failed",
    description: "Two-way appointment sync",
    response: null,
    request: null,
    progressDescription: "Failed",
    progressPercent: 5,
    fileName: null,
    cancellationBehaviour: "CancelWithWarning",
  },
  {
    ...NO_CARRIER,
    id: 111,
    name: "Delete old documents",
    associateId: 42,
    detailsTable: 9,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [{ key: "OlderThanDays", value: "365" }],
    lastStarted: "2026-11-01T03:00:00",
    created: "2026-10-31T17:05:00",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "Documents",
    result: "Deleted 37 documents",
    state: "Succeeded",
    description: "Clean-up of documents older than a year",
    response: null,
    request: null,
    progressDescription: "Done",
    progressPercent: 100,
    fileName: null,
    cancellationBehaviour: "CanCancel",
  },
  {
    ...NO_CARRIER,
    id: 112,
    name: "Export contacts to CSV",
    associateId: 5,
    detailsTable: 5,
    detailsRecord: 0,
    isSystemTask: false,
    isInternalTask: false,
    parameterObject: [
      { key: "Format", value: "csv" },
      { key: "Encoding", value: "utf-8" },
    ],
    lastStarted: "2026-11-21T10:15:00.5000000+01:00",
    created: "2026-11-21T10:14:59.0000000+01:00",
    startCount: 1,
    databaseSerialNumber: SERIAL,
    context: "Export",
    result: "Exported 1 250 contacts",
    state: "SucceededManualCleanup",
    description: "Contacts in Trøndelag",
    response: null,
    request: null,
    progressDescription: "Done: download the file, then delete it",
    progressPercent: 100,
    fileName: "Kontakter Trøndelag & co.csv",
    cancellationBehaviour: "CancelWithWarning",
  },
];
