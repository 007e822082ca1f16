/**
 * How many connections the kernel may queue on a listening socket before the server takes
 * them. Node's default is 511: a burst of a few thousand clients (a page load behind a busy
 * proxy, clients reconnecting after a restart) overflows it, and each dropped SYN is retried
 * by the client only after 1 s, then 3 s, 7 s (bench/many-connections.ts). Linux caps this at
 * net.core.somaxconn (4096 since kernel 5.4; raise it on older kernels).
 */
export const LISTEN_BACKLOG = 4096;
