// Login sessions: the row is keyed by the SHA-256 digest of the cookie's token, so the database
// never holds a usable session token; each carries the CSRF token the browser must echo.

import type { PrismaClient } from "@prisma/client";
import type { Role } from "../auth/roles";

export interface SessionRecord {
  id: string;
  csrfToken: string;
  expiresAt: Date;
  user: { id: string; name: string; role: Role };
}

export async function createSession(prisma: PrismaClient, session: { id: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
  await prisma.session.create({ data: session });
}

/** The live session with this digest, or null (unknown or expired; expired ones are removed). */
export async function findSession(prisma: PrismaClient, id: string, now = new Date()): Promise<SessionRecord | null> {
  const row = await prisma.session.findUnique({ where: { id }, include: { user: { select: { id: true, name: true, role: true } } } });
  if (!row) return null;
  if (row.expiresAt <= now) {
    await prisma.session.deleteMany({ where: { id } });
    return null;
  }
  return { id: row.id, csrfToken: row.csrfToken, expiresAt: row.expiresAt, user: { ...row.user, role: row.user.role as Role } };
}

export async function deleteSession(prisma: PrismaClient, id: string): Promise<void> {
  await prisma.session.deleteMany({ where: { id } });
}
