// Output stage of the PE: programmable arithmetic right shift of the accumulator,
// range check and saturation to the next layer's width (8 or 4 bit), and the
// output byte O8 = {O_H, O_L}: an 8-bit result fills O8, a 4-bit result fills
// O_H or O_L (o_lo) and keeps the other nibble, packing two results per byte.
module fvh_pe_out (
    input  logic               clk,
    input  logic               rst_n,
    input  logic signed [31:0] acc,
    input  logic               st,
    input  logic [4:0]         shamt,
    input  logic               w8,
    input  logic               o_lo,
    output logic [7:0]         o8,
    output logic               o_sat
);
  logic signed [31:0] sh;
  logic fit8, fit4, sat8, sat4;
  logic [7:0] v8;
  logic [3:0] v4;
  assign sh   = acc >>> shamt;
  assign fit8 = (&sh[31:7]) | ~(|sh[31:7]);
  assign fit4 = (&sh[31:3]) | ~(|sh[31:3]);
  assign sat8 = ~fit8;
  assign sat4 = ~fit4;
  assign v8   = fit8 ? sh[7:0] : (sh[31] ? 8'h80 : 8'h7f);
  assign v4   = fit4 ? sh[3:0] : (sh[31] ? 4'h8 : 4'h7);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      o8    <= '0;
      o_sat <= 1'b0;
    end else if (st) begin
      o_sat <= w8 ? sat8 : sat4;
      if (w8) o8 <= v8;
      else if (o_lo) o8[3:0] <= v4;
      else o8[7:4] <= v4;
    end
  end
endmodule
