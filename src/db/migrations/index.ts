import type { Migration } from "../migrate.js";
import { m0001 } from "./0001-events.js";
import { m0002 } from "./0002-stock.js";
import { m0003 } from "./0003-alerts.js";
import { m0004 } from "./0004-outbox.js";
import { m0005 } from "./0005-digests.js";
import { m0006 } from "./0006-forecast.js";
import { m0007 } from "./0007-ingest-indexes.js";
import { m0008 } from "./0008-quantity-movement-id.js";
import { m0009 } from "./0009-drop-events-by-type.js";
import { m0010 } from "./0010-recovered-events.js";
import { m0011 } from "./0011-untrusted-event-times.js";
import { m0012 } from "./0012-alert-actions.js";
import { m0013 } from "./0013-silences.js";

/** Every schema migration, in order. Add a file and list it here; never edit an applied one. */
export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013];
