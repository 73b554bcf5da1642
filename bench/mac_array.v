// Benchmark RTL: an R x C systolic array of 8-bit multiply-accumulate cells
// (weights flow down, activations flow right, 20-bit accumulators).
// Mapped with Yosys onto osu018 it gives a >100k-cell gate-level netlist for
// bench/bench_read.py. Written for finevh.
module mac8 (
  input  wire        clk,
  input  wire        clr,
  input  wire [7:0]  a_in,
  input  wire [7:0]  b_in,
  output reg  [7:0]  a_out,
  output reg  [7:0]  b_out,
  output reg  [19:0] acc
);
  always @(posedge clk) begin
    a_out <= a_in;
    b_out <= b_in;
    if (clr) acc <= 20'd0;
    else     acc <= acc + a_in * b_in;
  end
endmodule

module mac_array #(parameter R = 16, parameter C = 16) (
  input  wire            clk,
  input  wire            clr,
  input  wire [8*R-1:0]  a_west,
  input  wire [8*C-1:0]  b_north,
  input  wire [4:0]      sel_row,
  input  wire [4:0]      sel_col,
  output wire [19:0]     acc_out
);
  wire [7:0]  a  [0:R-1][0:C];
  wire [7:0]  b  [0:R][0:C-1];
  wire [19:0] s  [0:R-1][0:C-1];
  genvar i, j;
  generate
    for (i = 0; i < R; i = i + 1) begin : row
      assign a[i][0] = a_west[8*i +: 8];
      for (j = 0; j < C; j = j + 1) begin : col
        if (i == 0) begin : top
          assign b[0][j] = b_north[8*j +: 8];
        end
        mac8 u (.clk(clk), .clr(clr), .a_in(a[i][j]), .b_in(b[i][j]),
                .a_out(a[i][j+1]), .b_out(b[i+1][j]), .acc(s[i][j]));
      end
    end
  endgenerate
  // Read-out multiplexer so that every accumulator stays observable.
  reg [19:0] r;
  integer x, y;
  always @* begin
    r = 20'd0;
    for (x = 0; x < R; x = x + 1)
      for (y = 0; y < C; y = y + 1)
        if (sel_row == x && sel_col == y) r = s[x][y];
  end
  assign acc_out = r;
endmodule
