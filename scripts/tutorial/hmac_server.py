# The tutorials' concurrent server with the client check, from
# ../shared/seeds/002_f1229b7f0f4afd14.txt (socketserver + hmac): each client must answer
# a 32-byte os.urandom challenge with hmac.new(secret_key, msg).digest(); then every framed
# message (4-byte struct.pack('i') length, then the text) is printed and sent back in
# upper case.
#
# As in the tutorial, except (each marked "chat:"):
# - the port may be given as the first argument (the tests use a free port); the default
#   is the tutorial's 8080.
# - hmac.new(..., digestmod='md5'): Python 3.8 and later refuse hmac.new without a
#   digestmod (TypeError); the tutorial was written for Python 2, whose default was MD5.
# - the reply is framed like the request: the tutorial sends it bare, which its own client
#   reads with one recv(1024), but no framed peer (chat, or this tutorial's other
#   programs) can tell where a bare reply ends.
# Left as the tutorial has it, since it runs: the body is read with recv(buff), which can
# take the start of the next frame when two arrive together (so send one at a time).
# Talks with: chat --connect 127.0.0.1:8080 --framing tutorial --secret 'wan yifei'
import struct
import socketserver
import hmac,os
import sys


secret_key = b'wan yifei'

def conn_auth(conn):
    '''
    认证客户端链接
    :param conn:
    :return:
    '''

    print('开始认证客户端的合法性')
    msg = os.urandom(32)          # 先产生32位密文
    conn.sendall(msg)             # 发给客户端
    h = hmac.new(secret_key,msg,digestmod='md5')   # 加盐  # chat: digestmod
    digest = h.digest()
    response = conn.recv(len(digest)) # 接收客户端的认证回应
    return hmac.compare_digest(response,digest) # 比价认证结果


class Myserver(socketserver.BaseRequestHandler):
    def handle(self):                              # 必须是handle
        print('conn is : ',self.request)       # 相当于之前建立链接后的conn
        print('addr is : ',self.client_address) # addr

        if not conn_auth(self.request):
            print('该链接不合法,关闭')
            self.request.close()
            return

        print('客户端合法')
        while True:               # 通讯循环

            try:
                # 收消息
                length_data = self.request.recv(4)
                length = struct.unpack('i',length_data)[0]

                recv_size = 0
                recv_msg = b''
                while recv_size < length:
                    recv_msg += self.request.recv(buff)
                    recv_size = len(recv_msg)

                if not length_data:
                    break
                print('收到客户端的消息是:',recv_msg.decode('utf-8'))

                # 发消息
                reply = recv_msg.upper()
                self.request.sendall(struct.pack('i',len(reply)) + reply)  # chat: framed reply
            except Exception as e:
                print(e)
                break



if __name__ == '__main__':
    buff = 1024
    ip_port = ('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8080)  # chat: port from argv
    s = socketserver.ThreadingTCPServer(ip_port, Myserver)  # 这是多线程,意思就是来一个通讯就给它一个实例化(处理链接)
                         # 如果不是windows系统用ForkingTCPServer(多线程)代替ThreadingTCPServer也可以
    s.serve_forever()                                       # 这就是以前的大循环,也就是链接循环
