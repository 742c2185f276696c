// The dashboard's frame: navigation, the tRPC/React Query provider and the login gate around every page.

import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "../trpc/react";
import { AuthGate } from "../components/auth-gate";
import { NavBar } from "../components/nav-bar";
import "./globals.css";

export const metadata: Metadata = {
  title: "Celeriac",
  description: "Celery workflows as they really are",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <NavBar />
          <main>
            <AuthGate>{children}</AuthGate>
          </main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
