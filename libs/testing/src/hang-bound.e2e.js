// e2e tier: hooks boot real daemons (jest.config.js says why)
jest.setTimeout(60_000);
