// Dashboard accounts: name, argon2id hash and role. Hashing happens in src/server/auth; this file
// only stores and finds.

import type { PrismaClient } from "@prisma/client";
import type { Role } from "../auth/roles";

export interface UserRecord {
  id: string;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: Date;
}

export interface UserSummary {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export async function countUsers(prisma: PrismaClient): Promise<number> {
  return prisma.user.count();
}

/** Creates the account; resolves to null when the name is taken. */
export async function createUser(prisma: PrismaClient, user: { name: string; role: Role; passwordHash: string }): Promise<UserSummary | null> {
  const existing = await prisma.user.findUnique({ where: { name: user.name }, select: { id: true } });
  if (existing) return null;
  const created = await prisma.user.create({ data: user });
  return { id: created.id, name: created.name, role: created.role as Role, createdAt: created.createdAt };
}

export async function findUserByName(prisma: PrismaClient, name: string): Promise<UserRecord | null> {
  const user = await prisma.user.findUnique({ where: { name } });
  return user ? { ...user, role: user.role as Role } : null;
}

export async function listUsers(prisma: PrismaClient): Promise<UserSummary[]> {
  const users = await prisma.user.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, role: true, createdAt: true } });
  return users.map((user) => ({ ...user, role: user.role as Role }));
}
