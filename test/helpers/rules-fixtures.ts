/** A rules file with one rule: sold-out products to the #warehouse Slack channel, right away. */
export const SOLD_OUT_TO_SLACK = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    severity: critical
    group: 0s
`;
