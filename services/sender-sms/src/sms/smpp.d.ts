// Minimal types for the client side of `smpp` 0.5 (farhadi/node-smpp), which ships none. Names are
// this sender's own, so that other declarations of the module merge without clashing.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';

  export interface SmppClientPdu {
    command: string;
    command_status: number;
    message_id?: string;
    esm_class?: number;
    short_message?: unknown;
    receipted_message_id?: unknown;
    message_state?: unknown;
    response(options?: Record<string, unknown>): SmppClientPdu;
  }

  export interface SmppClientSession extends EventEmitter {
    bind_transceiver(options: Record<string, unknown>, callback: (pdu: SmppClientPdu) => void): boolean;
    submit_sm(options: Record<string, unknown>, callback: (pdu: SmppClientPdu) => void): boolean;
    unbind(options: Record<string, unknown>, callback: (pdu: SmppClientPdu) => void): boolean;
    send(pdu: SmppClientPdu): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
  }

  export function connect(options: {
    url: string;
    auto_enquire_link_period?: number;
    connectTimeout?: number;
  }): SmppClientSession;
}
