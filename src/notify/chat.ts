/**
 * Chat incoming webhooks: the JSON bodies Slack and Microsoft Teams accept for an alarm notification.
 *
 * Slack (incoming webhook, https://hooks.slack.com/services/...): `text` is the notification and
 * fallback text (what a phone shows), `blocks` the message: a header with the state and alarm name, a
 * section with the transition, metric and reason. Slack reads `&`, `<` and `>` as markup (`<!channel>`
 * notifies everyone), so they are escaped in mrkdwn text; the header is plain_text (at most 150 chars).
 *
 * Teams (incoming webhook or a Workflows webhook): a message with one Adaptive Card attachment
 * (`application/vnd.microsoft.card.adaptive`, card version 1.2), a bold title and a FactSet.
 */
import type { AlarmText } from './message.js';

const escapeSlack = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackPayload(t: AlarmText): Record<string, unknown> {
  const lines = [
    ...(t.description !== undefined ? [escapeSlack(t.description)] : []),
    `*${escapeSlack(t.transition)}*`,
    ...(t.metric !== undefined ? [`*Metric:* ${escapeSlack(t.metric)}`] : []),
    `*Reason:* ${escapeSlack(t.reason)}`,
  ];
  return {
    text: escapeSlack(`${t.title} (${t.transition})`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: t.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
    ],
  };
}

export function teamsPayload(t: AlarmText): Record<string, unknown> {
  const facts = [
    { title: 'State', value: t.transition },
    ...(t.metric !== undefined ? [{ title: 'Metric', value: t.metric }] : []),
    { title: 'Reason', value: t.reason },
  ];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          // What Teams shows in a notification / activity feed.
          fallbackText: `${t.title} (${t.transition})`,
          body: [
            { type: 'TextBlock', text: t.title, weight: 'Bolder', size: 'Medium', wrap: true, color: t.title.startsWith('ALARM') ? 'Attention' : 'Default' },
            ...(t.description !== undefined ? [{ type: 'TextBlock', text: t.description, wrap: true }] : []),
            { type: 'FactSet', facts },
          ],
        },
      },
    ],
  };
}
