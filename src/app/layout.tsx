// The dashboard's frame: navigation and the tRPC/React Query provider around every page.

import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "../trpc/react";
import { NavBar } from "../components/nav-bar";
import "./globals.css";

export const metadata: Metadata = {
  title: "Celeriac",
  description: "Celery workflows as they really are",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <NavBar />
          <main>{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
