// The slice of Prisma the store's SQL runs through: the client itself or an interactive
// transaction, so each write step works inside applyBatch's transaction or on its own.

import type { PrismaClient } from "@prisma/client";

export type SqlClient = Pick<PrismaClient, "$executeRawUnsafe" | "$queryRawUnsafe">;
