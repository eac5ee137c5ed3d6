# The tutorials' "简洁版本" server, from ../shared/seeds/002_f1229b7f0f4afd14.txt: it
# accepts clients one after another and prints each framed message (4-byte
# struct.pack('i') length, then the text). It never writes.
#
# As in the tutorial, except (each marked "chat:"):
# - the port may be given as the first argument (the tests use a free port); the default
#   is the tutorial's 8001.
# Left as the tutorial has it, since it runs: the body is read with recv(buff), which can
# take the start of the next frame when two arrive together (so send one at a time).
# Talks with: chat --connect 127.0.0.1:8001 --framing tutorial
from socket import *
import struct
import sys
# 简洁版本

ip_port = ('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8001)  # chat: port from argv
back_log = 5
buff = 1024

tcp_server = socket(AF_INET, SOCK_STREAM)
# tcp_server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)        # 当出现address already in use 错误时,可以加这条避免
tcp_server.bind(ip_port)
tcp_server.listen(back_log)
print('----------------')

while True:                                               # 循环接收链接
    conn, address = tcp_server.accept()

    while True:                                          # 与一个客户端的循环通话
        try:
            length_data = conn.recv(4)                      # 消息的长度信息虽然与消息粘包,但是将长度信息固定在前4个字节,取到的封装的字节流
            length = struct.unpack('i', length_data)[0]    # 将消息长度解包,解包后是一个元组,取第一个就是长度数据,int型

            recv_size = 0
            recv_msg = b''

            while recv_size < length:
                recv_msg += conn.recv(buff)
                recv_size = len(recv_msg)

            print('收到的数据是:', recv_msg.decode('utf-8'))
        except Exception:
            break

    conn.close()

tcp_server.close()
