// Output-stationary R x C systolic array of scalable-precision PEs (fvh_pe) with
// its controller: computes one R x C tile of O = A * B (+ bias per column), the
// reduction dimension K streamed in one step per MAC period (1/2/4 cycles in
// half/mixed/full mode, all PEs in lockstep).
//
// Data flow: activations enter on the left (row r: a_in[r]), weights on the top
// (column c: b_in[c]); input skew registers delay row r and column c by r and c
// steps, so the testbench presents column k of the A tile and row k of the B
// tile unskewed at step k. Every PE passes its operands right / down at each
// step (its operand registers are the systolic pipeline); PE(r,c) sees
// A[r][k], B[k][c] at step k + r + c. After K + R + C - 2 steps (zeros flushed,
// skipped by the PEs' zero skipping) the controller adds the bias of each column
// (2 cycles), stores every PE's output stage result and pulses `done`.
//
// Protocol: pulse `start` with k_len (>= 1), mode/half_lo/out configuration held
// until `done`. While `feed` is high the array consumes a_in/b_in at the next
// rising clock edge. Results: rd_acc / rd_o8 of PE(rd_r, rd_c).
module fvh_array #(
    parameter int R = 4,
    parameter int C = 4
) (
    input  logic              clk,
    input  logic              rst_n,
    input  logic [1:0]        mode,
    input  logic              half_lo,
    input  logic              start,
    input  logic [15:0]       k_len,
    output logic              feed,
    input  logic [R*8-1:0]    a_in,
    input  logic [C*8-1:0]    b_in,
    input  logic [C*16-1:0]   bias_in,
    input  logic [4:0]        shamt,
    input  logic              w8,
    input  logic              o_lo,
    output logic              busy,
    output logic              done,
    input  logic [7:0]        rd_r,
    input  logic [7:0]        rd_c,
    output logic [31:0]       rd_acc,
    output logic [7:0]        rd_o8
);
  // -------------------------------------------------------------- controller
  typedef enum logic [2:0] {IDLE, CLR, STEP, BIAS, BW1, BW2, STORE, DONE} state_t;
  state_t state;
  logic [16:0] step, n_steps;
  logic [1:0]  cyc, last_cyc;
  logic        ld, ld_bias, clr, st;

  assign last_cyc = (mode == 2'd0) ? 2'd3 : (mode == 2'd1) ? 2'd1 : 2'd0;
  assign n_steps  = {1'b0, k_len} + 17'(R + C - 2);
  assign ld       = (state == STEP) && (cyc == 2'd0);
  assign feed     = ld && (step < {1'b0, k_len});
  assign ld_bias  = (state == BIAS);
  assign clr      = (state == CLR);
  assign st       = (state == STORE);
  assign busy     = (state != IDLE);
  assign done     = (state == DONE);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      state <= IDLE;
      step  <= '0;
      cyc   <= '0;
    end else begin
      case (state)
        IDLE: if (start) state <= CLR;
        CLR: begin
          state <= STEP;
          step  <= '0;
          cyc   <= '0;
        end
        STEP: begin
          if (cyc == last_cyc) begin
            cyc <= '0;
            if (step == n_steps - 17'd1) state <= BIAS;
            else step <= step + 17'd1;
          end else begin
            cyc <= cyc + 2'd1;
          end
        end
        BIAS:  state <= BW1;
        BW1:   state <= BW2;
        BW2:   state <= STORE;
        STORE: state <= DONE;
        default: state <= IDLE;
      endcase
    end
  end

  // ------------------------------------------------------------ input skew
  logic [7:0] a_edge[R];
  logic [7:0] b_edge[C];
  genvar r, c;
  generate
    for (r = 0; r < R; r++) begin : g_askew
      logic [7:0] a_new;
      assign a_new = feed ? a_in[r*8+:8] : 8'd0;
      if (r == 0) begin : g_direct
        assign a_edge[r] = a_new;
      end else begin : g_delay
        logic [7:0] d[r];
        always_ff @(posedge clk or negedge rst_n) begin
          if (!rst_n) begin
            for (int i = 0; i < r; i++) d[i] <= '0;
          end else if (ld) begin
            d[0] <= a_new;
            for (int i = 1; i < r; i++) d[i] <= d[i-1];
          end
        end
        assign a_edge[r] = d[r-1];
      end
    end
    for (c = 0; c < C; c++) begin : g_bskew
      logic [7:0] b_new;
      assign b_new = feed ? b_in[c*8+:8] : 8'd0;
      if (c == 0) begin : g_direct
        assign b_edge[c] = b_new;
      end else begin : g_delay
        logic [7:0] d[c];
        always_ff @(posedge clk or negedge rst_n) begin
          if (!rst_n) begin
            for (int i = 0; i < c; i++) d[i] <= '0;
          end else if (ld) begin
            d[0] <= b_new;
            for (int i = 1; i < c; i++) d[i] <= d[i-1];
          end
        end
        assign b_edge[c] = d[c-1];
      end
    end
  endgenerate

  // ------------------------------------------------------------- PE grid
  logic [7:0]  iq[R][C];
  logic [7:0]  wq[R][C];
  logic [31:0] acc[R][C];
  logic [7:0]  o8[R][C];
  logic        rdy[R][C];
  logic        osat[R][C];

  generate
    for (r = 0; r < R; r++) begin : g_row
      for (c = 0; c < C; c++) begin : g_col
        fvh_pe u_pe (
            .clk(clk), .rst_n(rst_n), .mode(mode), .half_lo(half_lo),
            .clr(clr), .acc_in(32'd0),
            .ld(ld), .in_i(c == 0 ? a_edge[r] : iq[r][c == 0 ? 0 : c-1]),
            .in_w(r == 0 ? b_edge[c] : wq[r == 0 ? 0 : r-1][c]),
            .ld_bias(ld_bias), .in_b(bias_in[c*16+:16]),
            .ready(rdy[r][c]), .i_q(iq[r][c]), .w_q(wq[r][c]), .acc(acc[r][c]),
            .st(st), .shamt(shamt), .w8(w8), .o_lo(o_lo), .o8(o8[r][c]), .o_sat(osat[r][c])
        );
      end
    end
  endgenerate

  // ------------------------------------------------------------- read-out
  always_comb begin
    rd_acc = '0;
    rd_o8  = '0;
    for (int i = 0; i < R; i++) begin
      for (int k = 0; k < C; k++) begin
        if (rd_r == 8'(i) && rd_c == 8'(k)) begin
          rd_acc = acc[i][k];
          rd_o8  = o8[i][k];
        end
      end
    end
  end

  // ready and saturation flags of the PEs are not used by this controller:
  // it keeps its own MAC-period counter (all PEs run in lockstep)
  logic unused_ok;
  always_comb begin
    unused_ok = 1'b0;
    for (int i = 0; i < R; i++) begin
      for (int k = 0; k < C; k++) unused_ok = unused_ok ^ rdy[i][k] ^ osat[i][k] ^ (^iq[i][k]) ^ (^wq[i][k]);
    end
  end
endmodule
