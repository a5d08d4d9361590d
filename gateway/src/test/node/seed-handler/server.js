// The seed guide's Express handler (shared/seed/server-setup-guide.md, "Express"), kept as the guide
// writes it so that the gateway's readiness benchmark can compare against it: create, sleep 1 s,
// poll every 1 s until the status is no longer NOT_READY, consume, answer. Only these differ from
// the guide: plain JavaScript instead of TypeScript (no build step), and the address to listen on
// comes from HOST and PORT (default 127.0.0.1:3001; the guide listens on 3001) so that the
// benchmark can pick a free port. The SDK reads RUNWAYML_API_SECRET (passed as in the guide) and
// RUNWAYML_BASE_URL (the simulator) from the environment.
import express from 'express';
import Runway from '@runwayml/sdk';

const app = express();
app.use(express.json());

const client = new Runway({ apiKey: process.env.RUNWAYML_API_SECRET });

app.post('/api/avatar/connect', async (req, res) => {
  const { avatarId } = req.body;

  try {
    const created = await client.post('/v1/realtime_sessions', {
      body: {
        model: 'gwm1_avatars',
        avatar: { type: 'runway-preset', presetId: avatarId },
      },
    });

    let status = 'NOT_READY';
    let sessionKey = '';
    while (status === 'NOT_READY') {
      await new Promise((r) => setTimeout(r, 1000));
      const session = await client.get(`/v1/realtime_sessions/${created.id}`);
      status = session.status;

      if (status === 'READY' && session.sessionKey) {
        sessionKey = session.sessionKey;
      }

      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(status)) {
        return res.status(500).json({ error: `Session ${status.toLowerCase()}` });
      }
    }

    const { url, token, roomName } = await client.post(
      `/v1/realtime_sessions/${created.id}/consume`,
      { headers: { Authorization: `Bearer ${sessionKey}` } }
    );

    res.json({
      sessionId: created.id,
      serverUrl: url,
      token,
      roomName,
    });
  } catch (error) {
    console.error('Error:', error);
    res.status(500).json({ error: 'Failed to create session' });
  }
});

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 3001);
const server = app.listen(port, host, () => {
  console.log(`seed handler listening on http://${host}:${server.address().port}`);
});

// The benchmark stops it with SIGTERM.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
