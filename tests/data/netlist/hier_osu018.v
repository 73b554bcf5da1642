// Hand-written hierarchical gate-level netlist on osu018 cells for the netlist tests.
// Exercises: ANSI and non-ANSI headers, buses, bit/part-selects, escaped identifiers,
// named and positional connections, concatenation, replication, constants, assign
// aliases (bus slices and constants), supply nets, attributes, comments, hierarchy,
// and tri-state drivers on a shared net.
`timescale 1ns/1ps

/* a 2-bit register slice */
module regslice (input wire clk, input wire [1:0] d, output wire [1:0] q);
  (* keep = 1 *) DFFPOSX1 r0 (.CLK(clk), .D(d[0]), .Q(q[0]));
  DFFPOSX1 r1 (.CLK(clk), .D(d[1]), .Q(q[1]));
endmodule

// half adder, non-ANSI, positional instantiation below
module ha (a, b, s, c);
  input a, b;
  output s;
  output c;
  XOR2X1 x (.A(a), .B(b), .Y(s));
  AND2X2 n (.A(a), .B(b), .Y(c));
endmodule

module core (clk, in, \out.q , en);
  input clk;
  input [3:0] in;
  output [3:0] \out.q ;
  input en;
  wire [3:0] sum;
  wire [1:0] carry, \weird$net ;
  wire shared;
  supply1 vdd;
  supply0 vss;
  ha h0 (in[0], in[1], sum[0], carry[0]);
  ha h1 (.a(in[2]), .b(in[3]), .s(sum[1]), .c(carry[1]));
  regslice rs (.clk(clk), .d({sum[1], sum[0]}), .q(\weird$net ));
  NAND2X1 g1 (.A(\weird$net [1]), .B(vdd), .Y(sum[2]));
  NOR2X1 g2 (.A(carry[0]), .B(vss), .Y(sum[3]));
  TBUFX1 t0 (.A(sum[2]), .EN(en), .Y(shared));
  TBUFX1 t1 (.A(sum[3]), .EN(carry[1]), .Y(shared));
  INVX1 g3 (.A(shared), .Y(\out.q [0]));
  assign \out.q [2:1] = sum[3:2];
  assign \out.q [3] = 1'b0;
endmodule

module top (clk, a, y, z, en);
  input clk;
  input [3:0] a;
  output [3:0] y;
  output z;
  input en;
  wire [3:0] w;
  core u_core (.clk(clk), .in({a[3:1], 1'b1}), .\out.q (w), .en(en));
  assign y = w;
  BUFX2 b0 (.A(w[0]), .Y(z));
  INVX1 u_unused (.A(a[0]), .Y());
endmodule
