// int tier: hooks migrate real databases (jest.config.js says why)
jest.setTimeout(30_000);
