// A subscription over /graphql/ws (graphql-transport-ws). The socket closes when the access token
// expires (4401); it then reconnects with a fresh token.
import { accessToken } from './api.js';

export function subscribe(query, variables, onData, onState) {
  let ws = null;
  let stopped = false;
  let retry = 500;
  const open = async () => {
    const token = await accessToken();
    if (stopped || !token) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    ws = new WebSocket(`${scheme}://${location.host}/graphql/ws`, 'graphql-transport-ws');
    ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type === 'connection_ack') {
        retry = 500;
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
        onState(true);
      } else if (msg.type === 'next' && msg.payload?.data) {
        onData(msg.payload.data);
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    };
    ws.onclose = () => {
      onState(false);
      if (!stopped) { setTimeout(open, retry); retry = Math.min(retry * 2, 15_000); }
    };
  };
  open();
  return () => { stopped = true; ws?.close(1000); };
}
