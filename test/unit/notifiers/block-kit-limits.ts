/**
 * Block Kit's limits, written out here on their own (not imported from src) so a wrong limit in
 * the renderer is caught: api.slack.com/reference/block-kit/blocks and …/block-elements.
 * Returns every violation as a readable line; [] means Slack would accept the blocks.
 */
export interface Rendered {
  text: string;
  blocks: { type: string; [k: string]: unknown }[];
}

type Text = { type: string; text: string };

export function blockKitViolations(r: Rendered): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || out.push(what));
  check(r.blocks.length <= 50, `${r.blocks.length} blocks (at most 50)`);
  check(r.text.length > 0 && r.text.length <= 40_000, `fallback text of ${r.text.length} characters`);
  const blockIds = new Set<string>();
  for (const [i, b] of r.blocks.entries()) {
    const at = `block ${i} (${b.type})`;
    if (typeof b.block_id === "string") {
      check(!blockIds.has(b.block_id), `${at}: block_id ${b.block_id} repeated`);
      check(b.block_id.length <= 255, `${at}: block_id too long`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case "header": {
        const t = b.text as Text;
        check(t.type === "plain_text", `${at}: header text must be plain_text`);
        check(t.text.length >= 1 && t.text.length <= 150, `${at}: header text of ${t.text.length} characters (at most 150)`);
        break;
      }
      case "section": {
        const t = b.text as Text | undefined;
        const fields = b.fields as Text[] | undefined;
        check(Boolean(t || fields), `${at}: section without text or fields`);
        if (t) check(t.text.length >= 1 && t.text.length <= 3000, `${at}: section text of ${t.text.length} characters (at most 3000)`);
        if (fields) {
          check(fields.length <= 10, `${at}: ${fields.length} fields (at most 10)`);
          for (const f of fields) check(f.text.length <= 2000, `${at}: field of ${f.text.length} characters (at most 2000)`);
        }
        break;
      }
      case "context": {
        const elements = b.elements as Text[];
        check(elements.length >= 1 && elements.length <= 10, `${at}: ${elements.length} elements (1 to 10)`);
        for (const e of elements) check(e.text.length >= 1 && e.text.length <= 3000, `${at}: context text of ${e.text.length} characters`);
        break;
      }
      case "actions": {
        const elements = b.elements as { type: string; action_id: string; text: Text; value?: string }[];
        check(elements.length >= 1 && elements.length <= 25, `${at}: ${elements.length} elements (1 to 25)`);
        const ids = elements.map((e) => e.action_id);
        check(new Set(ids).size === ids.length, `${at}: action_ids not unique within the block: ${ids.join(", ")}`);
        for (const e of elements) {
          check(e.type === "button", `${at}: unexpected element ${e.type}`);
          check(e.action_id.length <= 255, `${at}: action_id too long`);
          check(e.text.type === "plain_text" && e.text.text.length <= 75, `${at}: button text "${e.text.text}" (plain_text, at most 75)`);
          check(e.value === undefined || e.value.length <= 2000, `${at}: button value too long`);
        }
        break;
      }
      default:
        out.push(`${at}: unexpected block type`);
    }
  }
  return out;
}

/** Every mrkdwn/plain text of the blocks, joined: what a reader of the message can see. */
export function visibleText(r: Rendered): string {
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.text === "string" && (o.type === "mrkdwn" || o.type === "plain_text")) texts.push(o.text);
      for (const [k, child] of Object.entries(o)) if (k !== "text" || typeof child !== "string") walk(child);
    }
  };
  walk(r.blocks);
  return texts.join("\n");
}

/** The action ids of every button in the message. */
export function actionIds(r: Rendered): string[] {
  return r.blocks
    .filter((b) => b.type === "actions")
    .flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
}
