// TEMPORARY until the keys context is merged: a fake guard that trusts "Bearer fake.<ns>.<role>.<id>".
import { CanActivate, ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_ROLE } from '@cave/http';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../../apps/cave-daemon/src/bootstrap/create-app';

export interface Keys {
  admin: string;
  memberA: string;
  memberAId: string;
  memberB: string;
  memberC: string;
}

class FakeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest();
    const m = /^Bearer fake\.([^.]+)\.([^.]+)\.(.+)$/.exec(req.headers.authorization ?? '');
    if (!m) throw new UnauthorizedException('missing or invalid API key');
    req.principal = { namespace: m[1], role: m[2], keyId: m[3] };
    if (this.reflector.getAllAndOverride(REQUIRED_ROLE, [ctx.getHandler(), ctx.getClass()]) === 'admin' && m[2] !== 'admin') throw new ForbiddenException('admin only');
    return true;
  }
}

export async function authSetup(_start: unknown, env: Record<string, string> = {}): Promise<{ t: TestApp; keys: Keys }> {
  const t = await startTestApp(async (c, db, o) => {
    const app = await createApp(c, db, o);
    app.useGlobalGuards(new FakeGuard(app.get(Reflector)));
    return app;
  }, env);
  return {
    t,
    keys: { admin: 'fake.ops.admin.key-admin', memberA: 'fake.team-a.member.key-a', memberAId: 'key-a', memberB: 'fake.team-b.member.key-b', memberC: 'fake.team-c.member.key-c' },
  };
}
