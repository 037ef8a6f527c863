import type { Migration } from "kysely";
import * as createCore from "./2026_11_25_2000_create_core.ts";
import * as createDelivery from "./2026_11_25_2010_create_delivery.ts";
import * as createAction from "./2026_11_25_2100_create_action.ts";
import * as recordIncidentRequest from "./2026_11_25_2300_record_incident_request.ts";
import * as auditLogRefusesTruncate from "./2026_12_01_0900_audit_log_refuses_truncate.ts";
import * as createRequest from "./2026_12_01_0910_create_request.ts";
import * as deliveryNotBefore from "./2026_12_01_1100_delivery_not_before.ts";
import * as createReflection from "./2026_12_01_1300_create_reflection.ts";
import * as createEscalation from "./2026_12_01_1500_create_escalation.ts";
import * as deliveryUncertain from "./2026_12_01_1700_delivery_uncertain.ts";
import * as promptMessageKeyIndex from "./2026_12_02_0100_prompt_message_key_index.ts";

/** Every migration, by name; names sort in the order they run. Add new files here; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  "2026_11_25_2000_create_core": createCore,
  "2026_11_25_2010_create_delivery": createDelivery,
  "2026_11_25_2100_create_action": createAction,
  "2026_11_25_2300_record_incident_request": recordIncidentRequest,
  "2026_12_01_0900_audit_log_refuses_truncate": auditLogRefusesTruncate,
  "2026_12_01_0910_create_request": createRequest,
  "2026_12_01_1100_delivery_not_before": deliveryNotBefore,
  "2026_12_01_1300_create_reflection": createReflection,
  "2026_12_01_1500_create_escalation": createEscalation,
  "2026_12_01_1700_delivery_uncertain": deliveryUncertain,
  "2026_12_02_0100_prompt_message_key_index": promptMessageKeyIndex,
};
