/**
 * The demo's rules file: the product's own example (sold out, coffee running low, cancelled
 * orders, a digest) plus a "low" rule, every rule with `group: 0s` so messages go out at once
 * instead of after the default 30-second grouping window.
 */
export const DEMO_RULES = `# stockwatch demo rules (written by npm run demo)
timezone: Europe/Prague

channels:
  warehouse:
    type: slack
    channel: "#warehouse"
  managers:
    type: email
    to: [manager@example.com]

rules:
  - name: sold-out
    when:
      level: soldOut
    notify: [warehouse]
    severity: critical
    group: 0s

  - name: below-minimum          # at or below the product's minStockSupply in Shoptet
    when:
      level: low
    notify: [warehouse]
    group: 0s

  - name: coffee-running-low
    when:
      products: ["KAV-*"]
      quantity: { below: 20 }
    notify: [warehouse]
    group: 0s

  - name: order-cancelled
    when:
      event: order:cancel
    notify: [managers]
    group: 0s

digests:
  - name: end-of-day
    schedule: "0 18 * * 1-5"
    notify: [managers]
`;
