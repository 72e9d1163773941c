import { startRealtimeLibApp } from '../test/realtime.test-app';
import { clientsClosedAfterEach, expectStreamSurvivesPgRestart, ownServerForSuite } from '../../../test/support/realtime-scenarios';

jest.setTimeout(120_000);

describe('realtime across a PostgreSQL restart (own server)', () => {
  const server = ownServerForSuite('cave-rt-restart-');
  const connect = clientsClosedAfterEach('tok-admin');

  it('reconnects the replication stream and the subscribed client misses nothing', () =>
    expectStreamSurvivesPgRestart(server, (_owner, urls) => startRealtimeLibApp(urls), connect));
});
